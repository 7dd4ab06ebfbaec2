import OrchConfig
import OrchSystem

/// `log: {file, max_size, keep}`: a process's lines appended to a file, rotated
/// (`file` → `file.1` → … → `file.KEEP`) before a write would pass `max_size`.
///
/// A write can fail (a full disk, a quota, an I/O error): the file then keeps only
/// whole lines (a line cut by the failure is truncated away with ftruncate(2)), only
/// the bytes that reached the file count toward `max_size`, an empty file is never
/// rotated, and the failure is reported once, with a second report when the file
/// can be written again.
final class LogFileWriter {
    let spec: LogFileSpec
    /// nil while rotation could not create the new file.
    private var file: FileDescriptor?
    /// The file's size as far as orch wrote it: whole lines only.
    private var size: Int
    /// Set while writes fail; lines are dropped and counted.
    private var failing = false
    private var droppedLines = 0

    init(_ spec: LogFileSpec) throws(SystemError) {
        self.spec = spec
        let fd = FileDescriptor(owning: try Files.openAppend(spec.file))
        size = Files.size(fd.raw)
        file = consume fd
    }

    /// Writes whole lines (newline added), rotating before a line that would take
    /// the file past `max_size`. Returns what the user must be told, if anything.
    func write(_ lines: [ArraySlice<UInt8>]) -> String? {
        guard !lines.isEmpty else { return nil }
        var report: String?
        if file == nil {
            // Rotation could not create the new file: try again, the disk may have room now.
            do {
                let fd = FileDescriptor(owning: try Files.openAppend(spec.file))
                size = Files.size(fd.raw)
                file = consume fd
            } catch {
                report = fail(error, lines: lines.count)
                return report
            }
        }
        var bytes: [UInt8] = []
        var linesInBatch = 0
        for line in lines {
            if let max = spec.maxSize, size + bytes.count > 0, size + bytes.count + line.count + 1 > max {
                report = flush(&bytes, lines: linesInBatch) ?? report
                linesInBatch = 0
                // Only what reached the file counts, and an empty file is never rotated.
                if size > 0 && size + line.count + 1 > max { report = rotate() ?? report }
            }
            bytes.append(contentsOf: line)
            bytes.append(0x0A)
            linesInBatch += 1
        }
        return flush(&bytes, lines: linesInBatch) ?? report
    }

    private func flush(_ bytes: inout [UInt8], lines: Int) -> String? {
        defer { bytes.removeAll(keepingCapacity: true) }
        guard !bytes.isEmpty else { return nil }
        guard let fd = file?.raw else {
            droppedLines += lines
            return nil
        }
        var written = 0
        var failure: SystemError?
        while written < bytes.count {
            do {
                guard case let .wrote(n) = try Descriptor.write(fd, bytes, offset: written), n > 0 else {
                    failure = SystemError(call: "write", errno: EIO_, context: spec.file)
                    break
                }
                written += n
            } catch {
                failure = error
                break
            }
        }
        guard let failure else {
            size += written
            return recovered()
        }
        // A short write may have left part of a line at the end: cut it off.
        let whole = bytes[..<written].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        if whole < written { Files.truncate(fd, to: size + whole) }
        size += whole
        let lost = bytes[whole...].reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        return fail(failure, lines: lost)
    }

    private func fail(_ error: SystemError, lines: Int) -> String? {
        droppedLines += lines
        guard !failing else { return nil }
        failing = true
        return "cannot write \(spec.file): \(error.reason); its lines are dropped until it can be written again"
    }

    private func recovered() -> String? {
        guard failing else { return nil }
        failing = false
        defer { droppedLines = 0 }
        return "writing \(spec.file) again (\(droppedLines) line\(droppedLines == 1 ? "" : "s") lost)"
    }

    private func rotate() -> String? {
        file = nil
        if spec.keep <= 0 {
            Files.remove(spec.file)
        } else {
            Files.remove("\(spec.file).\(spec.keep)")
            for index in stride(from: spec.keep - 1, through: 1, by: -1) {
                Files.rename("\(spec.file).\(index)", "\(spec.file).\(index + 1)")
            }
            Files.rename(spec.file, "\(spec.file).1")
        }
        size = 0
        do {
            file = FileDescriptor(owning: try Files.openAppend(spec.file))
            return nil
        } catch {
            return fail(error, lines: 0)
        }
    }
}

let EIO_: Int32 = 5
