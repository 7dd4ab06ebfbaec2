import Glibc

/// Cuts a child's output stream into whole lines and appends each, prefixed, to an
/// output buffer. Keeps the partial last line until its newline arrives (or `flush`),
/// splits lines longer than `maxLine`, and passes bytes through untouched (no UTF-8
/// decoding). This is the log hot path, so it scans with memchr(3).
public struct LineFramer: Sendable {
    public private(set) var pending: [UInt8] = []
    public let maxLine: Int

    public init(maxLine: Int = 65536) {
        self.maxLine = maxLine
    }

    /// Frames `data[0..<count]`. `onLine`, when given, sees every complete line without
    /// its newline (for log probes and the log ring).
    public mutating func frame(
        _ data: [UInt8], count: Int, prefix: [UInt8], into out: inout [UInt8],
        onLine: ((ArraySlice<UInt8>) -> Void)? = nil
    ) {
        // Both buffers are borrowed once for the whole chunk: appending from raw
        // buffers costs no retain/release per line.
        data.withUnsafeBufferPointer { buffer in
            prefix.withUnsafeBufferPointer { prefixBytes in
                guard let base = buffer.baseAddress else { return }
                var start = 0
                while start < count {
                    guard let hit = memchr(base + start, 0x0A, count - start) else {
                        pending.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<count]))
                        while pending.count >= maxLine {
                            emit(pending[0..<maxLine], prefix: prefixBytes, into: &out, onLine: onLine)
                            pending.removeFirst(maxLine)
                        }
                        return
                    }
                    let end = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
                    if pending.isEmpty && end - start <= maxLine && onLine == nil {
                        out.append(contentsOf: prefixBytes)
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...end]))
                    } else {
                        pending.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
                        var offset = 0
                        repeat {
                            let piece = min(maxLine, pending.count - offset)
                            emit(pending[offset..<offset + piece], prefix: prefixBytes, into: &out, onLine: onLine)
                            offset += piece
                        } while offset < pending.count
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = end + 1
                }
            }
        }
    }

    /// Emits the partial last line, with a newline added (its process has exited).
    public mutating func flush(prefix: [UInt8], into out: inout [UInt8], onLine: ((ArraySlice<UInt8>) -> Void)? = nil) {
        guard !pending.isEmpty else { return }
        prefix.withUnsafeBufferPointer { emit(pending[...], prefix: $0, into: &out, onLine: onLine) }
        pending.removeAll()
    }

    private func emit(_ line: ArraySlice<UInt8>, prefix: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], onLine: ((ArraySlice<UInt8>) -> Void)?) {
        out.append(contentsOf: prefix)
        out.append(contentsOf: line)
        out.append(0x0A)
        onLine?(line)
    }
}
