import OrchCore
import OrchLimits
import OrchProtocol
import OrchSystem

/// orch's stdout: one buffer, written once per loop turn. On a pipe or socket the
/// fd is made non-blocking, so a slow reader never stalls the loop; the loop stops
/// reading children once `isFull`, so children block and nothing is lost.
final class OutputSink {
    let fd: Int32
    private(set) var buffer: [UInt8] = []
    private var offset = 0
    private(set) var closed = false
    /// Why the last write failed, when it was not the reader going away (EPIPE):
    /// a full disk, a closed stdout. That is an error the user must hear of.
    private(set) var failure: SystemError?
    let nonblocking: Bool
    private let savedFlags: Int32
    /// Above this many unwritten bytes the loop stops reading children's pipes.
    let highWater: Int

    /// `blocking`: never set O_NONBLOCK, for when a foreground child shares the open
    /// file (the flag belongs to the file, so the child would see EAGAIN).
    init(fd: Int32 = 1, highWater: Int = Limits.outputBufferBytes, blocking: Bool = false) {
        self.fd = fd
        self.highWater = highWater
        savedFlags = Descriptor.statusFlags(fd)
        nonblocking = !blocking && Descriptor.isPipeOrSocket(fd)
        if nonblocking {
            try? Descriptor.setNonBlocking(fd, true)
            // A bigger pipe to whoever reads orch means fewer stalls on a full pipe.
            Descriptor.growPipe(fd, to: 1 << 20)
        }
        buffer.reserveCapacity(256 << 10)
    }

    var pendingBytes: Int { buffer.count - offset }
    var isFull: Bool { pendingBytes >= highWater }
    var isEmpty: Bool { pendingBytes == 0 }

    func append(_ bytes: [UInt8]) {
        guard !closed else { return }
        buffer.append(contentsOf: bytes)
    }

    /// Direct access for the line framer, which appends into the buffer in place.
    func withBuffer(_ body: (inout [UInt8]) -> Void) {
        guard !closed else {
            var scratch: [UInt8] = []
            body(&scratch)
            return
        }
        body(&buffer)
    }

    enum FlushResult { case done, blocked, brokenPipe }

    /// Writes as much as the fd takes now.
    func flush() -> FlushResult {
        guard !closed else { return .done }
        while offset < buffer.count {
            let result: Descriptor.WriteResult
            do { result = try Descriptor.write(fd, buffer, offset: offset) } catch {
                failure = error
                return markClosed()
            }
            switch result {
            case let .wrote(n): offset += n
            case .wouldBlock: compact(); return .blocked
            case .brokenPipe: return markClosed()
            }
        }
        buffer.removeAll(keepingCapacity: buffer.capacity <= 16 << 20)
        offset = 0
        return .done
    }

    /// Blocks until everything is written (at exit).
    func drainBlocking() {
        guard !closed else { return }
        if nonblocking { try? Descriptor.setNonBlocking(fd, false) }
        _ = flush()
    }

    func restore() {
        if nonblocking { Descriptor.setStatusFlags(fd, savedFlags) }
    }

    /// Drops written bytes once they are half the buffer: each byte moves at most once.
    private func compact() {
        if offset > 1 << 20 && offset * 2 >= buffer.count {
            buffer.removeFirst(offset)
            offset = 0
        }
    }

    private func markClosed() -> FlushResult {
        closed = true
        buffer = []
        offset = 0
        return .brokenPipe
    }
}

/// How lines are decorated.
public struct OutputStyle: Sendable {
    public var color: Bool
    /// `HH:MM:SS.mmm` before each line.
    public var timestamps: Bool
    /// One JSON object per line instead of `name | text`.
    public var json: Bool
    public init(color: Bool, timestamps: Bool = false, json: Bool = false) {
        self.color = color
        self.timestamps = timestamps
        self.json = json
    }
}

/// `--log-format json`: `{"ts":…,"process":…,"line":…}` per output line and
/// `{"ts":…,"process":"orch","event":…}` per message of orch's own, written by
/// OrchProtocol's `JSONWriter` like every other JSON orch prints.
public enum JSONLine {
    static func line(process: String, bytes: ArraySlice<UInt8>) -> [UInt8] {
        Wire.encode(OutputRecord(ts: WallClock.iso8601(), process: process, line: String(decoding: bytes, as: UTF8.self)))
    }

    /// The same fields as `EventNote`, which `orch ctl events --json` prints.
    static func event(_ event: SupervisorEvent, time: String) -> [UInt8] {
        Wire.encode(EventNote(ts: time, event: event.text, kind: event.kind, instance: event.subject))
    }

    /// A JSON string literal (bytes that are not UTF-8 become U+FFFD).
    public static func quote(_ text: String) -> String {
        JSONWriter.quote(text)
    }
}

/// `web.1 | ` prefixes, padded to the longest name, coloured per process (by
/// the process's place in the config, so `orch ctl logs` colours as `orch up`).
public struct Prefixes {
    static let palette: [String] = ["36", "33", "32", "35", "34", "31", "96", "93", "92", "95", "94", "91"]
    var width: Int
    let style: OutputStyle
    private var colors: [String: String] = [:]
    private var cache: [String: [UInt8]] = [:]

    public init(names: [String], processOrder: [String], style: OutputStyle) {
        self.style = style
        width = max(names.map(\.count).max() ?? 0, 4)
        for (i, process) in processOrder.enumerated() {
            colors[process] = Prefixes.palette[i % Prefixes.palette.count]
        }
    }

    /// Widens the column for names added by scale or reload.
    public mutating func include(_ names: [String]) {
        let widest = max(names.map(\.count).max() ?? 0, width)
        if widest != width {
            width = widest
            cache = [:]
        }
    }

    public mutating func prefix(for name: String, process: String) -> [UInt8] {
        if let cached = cache[name] { return cached }
        let padded = name + String(repeating: " ", count: max(0, width - name.count))
        let text: String
        if style.color {
            let color = process == "orch" ? "1" : (colors[process] ?? "37")
            text = "\u{1B}[\(color)m\(padded) |\u{1B}[0m "
        } else {
            text = "\(padded) | "
        }
        let bytes = Array(text.utf8)
        cache[name] = bytes
        return bytes
    }
}
