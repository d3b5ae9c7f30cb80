import Testing

@testable import Kafka

/// The rules of key-ordered processing, without a broker: one message per key at a time, the
/// committed offset never past an unfinished message, the window counted.
@Suite(.timeLimit(.minutes(5))) struct KeyOrderedScheduleTests {
    static let partition = TopicPartition(topic: "t", partition: 0)

    static func message(_ offset: Int64, key: String?) -> KafkaMessage {
        KafkaMessage(topic: "t", partition: 0, offset: offset, key: key.map { Array($0.utf8) }, value: nil, headers: [])
    }

    @Test func aKeysSecondMessageWaitsForItsFirstAndStartsWhenItFinishes() {
        var schedule = KeyOrderedSchedule(maximumInFlight: 10, maximumPartitionSpread: 100)
        schedule.assign([Self.partition])
        let a0 = schedule.take(Self.message(0, key: "a"))!
        let a1 = schedule.take(Self.message(1, key: "a"))!
        let b2 = schedule.take(Self.message(2, key: "b"))!
        let result1 = schedule.startOrWait(a0)
        #expect(result1)
        let result2 = schedule.startOrWait(a1)
        #expect(!result2, "waits behind a0")
        let result3 = schedule.startOrWait(b2)
        #expect(result3, "another key starts at once")
        #expect(schedule.taken == 3 && schedule.messagesAtWork == 2)

        let b2Done = schedule.finish(b2, completed: true)
        #expect(b2Done.commit == nil, "offset 0 is unfinished: nothing is committed past it")
        #expect(b2Done.next == nil)
        let a0Done = schedule.finish(a0, completed: true)
        #expect(a0Done.next?.message.offset == 1, "a1 starts now")
        #expect(a0Done.commit?.offset == 1, "0 is done, 1 is not")
        let a1Done = schedule.finish(a1, completed: true)
        #expect(a1Done.commit?.offset == 3, "everything taken is done")
        #expect(schedule.taken == 0 && schedule.messagesAtWork == 0)
    }

    @Test func messagesWithoutAKeyAreHandledOneAtATimePerPartition() {
        var schedule = KeyOrderedSchedule(maximumInFlight: 10, maximumPartitionSpread: 100)
        schedule.assign([Self.partition])
        let first = schedule.take(Self.message(0, key: nil))!
        let second = schedule.take(Self.message(1, key: nil))!
        let result4 = schedule.startOrWait(first)
        #expect(result4)
        let result5 = schedule.startOrWait(second)
        #expect(!result5)
    }

    @Test func anAbandonedMessageIsNeverCommittedPastAndDropsItsKeysWaitingMessages() {
        var schedule = KeyOrderedSchedule(maximumInFlight: 10, maximumPartitionSpread: 100)
        schedule.assign([Self.partition])
        let a0 = schedule.take(Self.message(0, key: "a"))!
        let a1 = schedule.take(Self.message(1, key: "a"))!
        let b2 = schedule.take(Self.message(2, key: "b"))!
        _ = schedule.startOrWait(a0)
        _ = schedule.startOrWait(a1)
        _ = schedule.startOrWait(b2)
        let abandoned = schedule.finish(a0, completed: false)
        #expect(abandoned.next == nil && abandoned.commit == nil)
        let result6 = schedule.finish(b2, completed: true)
        #expect(result6.commit == nil, "0 and 1 stay unfinished")
        #expect(schedule.taken == 0, "the window is free again")
    }

    @Test func aMessageOfAnEarlierAssignmentMovesNoOffsetOfTheNextOne() {
        var schedule = KeyOrderedSchedule(maximumInFlight: 10, maximumPartitionSpread: 100)
        schedule.assign([Self.partition])
        let old = schedule.take(Self.message(5, key: "a"))!
        _ = schedule.startOrWait(old)
        schedule.dropWaiting(in: [Self.partition])
        schedule.forget([Self.partition])
        schedule.assign([Self.partition])
        // The partition came back and its committed offset (5) is read again.
        let again = schedule.take(Self.message(5, key: "a"))!
        let result7 = schedule.startOrWait(again)
        #expect(!result7, "the same plan is not handled twice at once here")
        let oldDone = schedule.finish(old, completed: true)
        #expect(oldDone.commit == nil, "the old assignment's message does not finish the new one's offset 5")
        #expect(oldDone.next?.message.offset == 5)
        let result8 = schedule.finish(again, completed: true)
        #expect(result8.commit?.offset == 6)
    }

    @Test func aMessageOfAPartitionNotAssignedIsNotTaken() {
        var schedule = KeyOrderedSchedule(maximumInFlight: 10, maximumPartitionSpread: 100)
        let taken = schedule.take(Self.message(0, key: "a"))
        #expect(taken == nil, "fetched before its partition was revoked: its next owner's")
        #expect(schedule.taken == 0)
    }

    @Test func revocationDropsTheWaitingMessagesAndTheWindowCountsThem() {
        var schedule = KeyOrderedSchedule(maximumInFlight: 3, maximumPartitionSpread: 2)
        schedule.assign([Self.partition])
        let a0 = schedule.take(Self.message(0, key: "a"))!
        let a1 = schedule.take(Self.message(1, key: "a"))!
        let b2 = schedule.take(Self.message(2, key: "b"))!
        _ = schedule.startOrWait(a0)
        _ = schedule.startOrWait(a1)
        _ = schedule.startOrWait(b2)
        #expect(schedule.isFull && schedule.freeSlots == 0)
        #expect(schedule.partitionsPastSpread == [Self.partition], "3 offsets between the oldest unfinished and the newest")
        schedule.dropWaiting(in: [Self.partition])
        #expect(schedule.taken == 2, "a1 was dropped; a0 and b2 are at work")
        #expect(schedule.messagesAtWork(in: [Self.partition]) == 2)
        schedule.forget([Self.partition])
        let result9 = schedule.finish(a0, completed: true)
        #expect(result9.next == nil, "a1 went to the partition's next owner")
        _ = schedule.finish(b2, completed: true)
        #expect(schedule.taken == 0 && schedule.messagesAtWork == 0)
    }
}
