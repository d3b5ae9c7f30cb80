import Domain
import Testing

@Suite(.timeLimit(.minutes(5))) struct PlanStateTests {
    @Test func thePipelineMovesOnlyForwardAlongTheStatusModel() {
        for transition in PlanState.forward {
            #expect(!transition.from.isFinal && transition.from != transition.to, "\(transition)")
        }
        #expect(!PlanState.received.canMove(to: .received) && !PlanState.completed.canMove(to: .inProgress))
    }

    @Test func finalStatesAreTheOnesWithoutAWayOutButARedrive() {
        for state in PlanState.allCases {
            #expect(state.isFinal == !PlanState.allCases.contains { state.canMove(to: $0) })
        }
        #expect(PlanState.redrive.allSatisfy { $0.from.isFinal && !$0.to.isFinal })
    }
}
