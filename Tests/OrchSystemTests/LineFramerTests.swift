import OrchSystem
import Testing

/// The log hot path: whole lines out, partial lines kept, long lines split.
struct LineFramerTests {
    private func frame(_ chunks: [String], maxLine: Int = 65536, flush: Bool = false) -> (String, [String]) {
        var framer = LineFramer(maxLine: maxLine)
        var out: [UInt8] = []
        var seen: [String] = []
        for chunk in chunks {
            let bytes = Array(chunk.utf8)
            framer.frame(bytes, count: bytes.count, prefix: Array("p | ".utf8), into: &out) { seen.append(String(decoding: $0, as: UTF8.self)) }
        }
        if flush { framer.flush(prefix: Array("p | ".utf8), into: &out) { seen.append(String(decoding: $0, as: UTF8.self)) } }
        return (String(decoding: out, as: UTF8.self), seen)
    }

    @Test(arguments: [
        (["a\nb\n"], "p | a\np | b\n"),
        (["hel", "lo\nwor", "ld\n"], "p | hello\np | world\n"),
        (["\n\n"], "p | \np | \n"),
        (["no newline"], ""),
    ])
    func framesWholeLines(chunks: [String], expected: String) {
        #expect(frame(chunks).0 == expected)
    }

    @Test func flushEmitsPartialLastLine() {
        let (out, seen) = frame(["done\nhalf"], flush: true)
        #expect(out == "p | done\np | half\n")
        #expect(seen == ["done", "half"])
    }

    @Test func splitsLongLines() {
        let (out, _) = frame([String(repeating: "x", count: 10) + "\n"], maxLine: 4)
        #expect(out == "p | xxxx\np | xxxx\np | xx\n")
        let (partial, _) = frame([String(repeating: "y", count: 9)], maxLine: 4, flush: true)
        #expect(partial == "p | yyyy\np | yyyy\np | y\n")
    }

    @Test func passesInvalidUTF8Through() {
        var framer = LineFramer()
        var out: [UInt8] = []
        let bytes: [UInt8] = [0x63, 0xE9, 0xFF, 0x0A]
        framer.frame(bytes, count: 4, prefix: [], into: &out)
        #expect(out == bytes)
    }
}
