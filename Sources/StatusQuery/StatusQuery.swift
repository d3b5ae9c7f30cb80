/// The status query module: answers "what happened to plan X" from the status table only, to
/// the organisation the plan was submitted for (the token's `consumer` claim). Anyone else
/// gets 404 FOLLOWUP_PLAN_NOT_FOUND, exactly like an unknown uuid, so a stranger cannot even
/// learn that a plan exists.
public enum StatusQuery {}
