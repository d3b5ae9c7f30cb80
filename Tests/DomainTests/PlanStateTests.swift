import Domain
import Testing

@Suite struct PlanStateTests {
    @Test func movesOnlyForwardAlongTheStatusModel() {
        let allowed: Set<String> = ["RECEIVED>REJECTED", "RECEIVED>IN_PROGRESS", "IN_PROGRESS>COMPLETED", "IN_PROGRESS>FAILED"]
        for from in PlanState.allCases {
            for to in PlanState.allCases {
                #expect(from.canMove(to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
    }

    @Test func finalStatesAreTheOnesWithoutAWayOut() {
        for state in PlanState.allCases {
            #expect(state.isFinal == !PlanState.allCases.contains { state.canMove(to: $0) })
        }
    }
}
