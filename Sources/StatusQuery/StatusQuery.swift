/// The status query module: answers "what happened to plan X" from the status table only, to
/// the organisation that submitted the plan.
///
/// Not built yet: issue #6 fills this module.
public enum StatusQuery {}
