import OrchConfig
import OrchSystem

/// `log: {file, max_size, keep}`: a process's lines appended to a file, rotated
/// (`file` → `file.1` → … → `file.KEEP`) before a write would pass `max_size`.
final class LogFileWriter {
    let spec: LogFileSpec
    private var fd: Int32
    private var size: Int

    init(_ spec: LogFileSpec) throws(SystemError) {
        self.spec = spec
        fd = try Files.openAppend(spec.file)
        size = Files.size(fd)
    }

    deinit { Descriptor.close(fd) }

    /// Writes whole lines (newline added), rotating before a line that would take
    /// the file past `max_size`.
    func write(_ lines: [ArraySlice<UInt8>]) {
        guard fd >= 0, !lines.isEmpty else { return }
        var bytes: [UInt8] = []
        for line in lines {
            if let max = spec.maxSize, size + bytes.count > 0, size + bytes.count + line.count + 1 > max {
                flush(&bytes)
                rotate()
            }
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
        }
        flush(&bytes)
    }

    private func flush(_ bytes: inout [UInt8]) {
        guard fd >= 0, !bytes.isEmpty else { return }
        Descriptor.writeAll(fd, bytes)
        size += bytes.count
        bytes.removeAll(keepingCapacity: true)
    }

    private func rotate() {
        Descriptor.close(fd)
        if spec.keep <= 0 {
            Files.remove(spec.file)
        } else {
            Files.remove("\(spec.file).\(spec.keep)")
            for index in stride(from: spec.keep - 1, through: 1, by: -1) {
                Files.rename("\(spec.file).\(index)", "\(spec.file).\(index + 1)")
            }
            Files.rename(spec.file, "\(spec.file).1")
        }
        fd = (try? Files.openAppend(spec.file)) ?? -1
        size = 0
    }
}
