import OtklikCore
import Testing

/// The queue between a change feed's watcher and the server: merged while the consumer is busy, bounded.
@Suite struct StoreChangeBufferTests {
    static let a = GeoPoint(lon: 31.5, lat: 54.5), b = GeoPoint(lon: 32.04, lat: 54.78)

    @Test func changesThatWaitAreMergedIntoOne() async {
        let buffer = StoreChangeBuffer()
        buffer.add(.written([Self.a]))
        buffer.add(.written([Self.b]))
        #expect(await buffer.next() == .written([Self.a, Self.b]))
        buffer.add(.written([Self.a]))
        buffer.add(.everything)
        buffer.add(.written([Self.b]))
        #expect(await buffer.next() == .everything, "points after everything add nothing")
    }

    @Test func pastThePointLimitThePendingChangeIsEverything() async {
        let buffer = StoreChangeBuffer(pointLimit: 3)
        buffer.add(.written([Self.a, Self.b]))
        buffer.add(.written([Self.a]))
        #expect(await buffer.next() == .written([Self.a, Self.b, Self.a]))
        for _ in 0..<4 { buffer.add(.written([Self.b])) }
        #expect(await buffer.next() == .everything)
    }

    @Test func aWaitingConsumerGetsTheNextChangeAndNilAtTheEnd() async {
        let buffer = StoreChangeBuffer()
        async let first = buffer.next()
        buffer.add(.written([Self.a]))
        #expect(await first == .written([Self.a]))
        buffer.add(.written([Self.b]))
        buffer.finish()
        #expect(await buffer.next() == .written([Self.b]), "what was pending is still taken")
        #expect(await buffer.next() == nil)
    }

    @Test func aStreamEndsWhenItsWatcherReturns() async {
        let stream = StoreChangeBuffer.stream { buffer in
            buffer.add(.written([Self.a]))
        }
        var seen: [StoreChange] = []
        for await change in stream { seen.append(change) }
        #expect(seen == [.written([Self.a])])
    }
}
