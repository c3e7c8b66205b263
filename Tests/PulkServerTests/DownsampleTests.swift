import Testing
@testable import PulkServer

@Suite("Metric downsampling")
struct DownsampleTests {
    @Test("Short histories are drawn as they are", arguments: [0, 1, 2, 10, 2002])
    func short(n: Int) {
        let x = (0..<n).map(Double.init), y = x.map { $0 * 2 }
        let d = Downsample.minMax(x: x, y: y, buckets: 1000)
        #expect(d.x == x && d.y == y)
    }

    @Test("Long histories keep the first and last points, each range's extremes, and stay within 2·buckets + 2")
    func long() {
        let n = 100_000
        let x = (0..<n).map(Double.init)
        var y = x.map { ($0 / 1000).truncatingRemainder(dividingBy: 7) }
        y[31_337] = 1e6  // a spike
        y[77_777] = -1e6  // a dip
        let d = Downsample.minMax(x: x, y: y, buckets: 1000)
        #expect(d.x.count <= 2002 && d.x.count > 1000)
        #expect(d.x.first == 0 && d.x.last == Double(n - 1))
        #expect(d.y.contains(1e6) && d.y.contains(-1e6), "spikes survive")
        #expect(d.y.max() == y.max() && d.y.min() == y.min())
        #expect(zip(d.x, d.x.dropFirst()).allSatisfy { $0 < $1 }, "points stay in step order")
        for (px, py) in zip(d.x, d.y) { #expect(y[Int(px)] == py) }
    }

    @Test("Ranges of only NaN keep one point, so the chart shows the gap")
    func nanRanges() {
        let n = 10_000
        let x = (0..<n).map(Double.init)
        let y = x.map { $0 >= 4000 && $0 < 6000 ? Double.nan : $0 }
        let d = Downsample.minMax(x: x, y: y, buckets: 100)
        #expect(d.y.contains { $0.isNaN })
        #expect(d.x.count <= 202)
    }
}

@Suite("Web UI formatting")
struct HTMLFormattingTests {
    @Test("Times are UTC, seconds resolution; none shows as a dash", arguments: [
        (Int64(1_700_000_000_000), "2023-11-14 22:13:20"), (1_700_000_000_999, "2023-11-14 22:13:20"), (86_400_000, "1970-01-02 00:00:00"), (0, "–"), (-5, "–"),
    ])
    func time(ms: Int64, text: String) { #expect(HTML.time(ms) == text) }

    @Test("Text is escaped for content and attributes")
    func escaping() { #expect(HTML.esc("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;") }
}
