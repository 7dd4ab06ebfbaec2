import COrchShim
import Glibc

extension Files {
    /// The names in a directory (no `.` or `..`), sorted; nil when it cannot be
    /// opened. Corresponds to `opendir(3)`/`readdir(3)`.
    public static func list(_ directory: String) -> [String]? {
        guard let handle = opendir(directory) else { return nil }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

/// A short helper command run to completion with its output captured: `sh -n`
/// for `orch check`. Not for supervised processes, which the runtime starts.
public enum ShortCommand {
    /// Runs `arguments` (argv[0] is the program's path) with stdin from /dev/null
    /// (or fed `input` through a pipe) and stdout and stderr into one pipe, waits
    /// for it (waitpid(2)) and returns its status and the first `limit` bytes it
    /// printed. The program must read its input before it prints much: the input
    /// is written whole before the output is read.
    public static func run(_ arguments: [String], environment: [String: String], cwd: String? = nil,
                           input: [UInt8]? = nil,
                           limit: Int = 64 << 10) throws(SystemError) -> (status: ExitStatus, output: [UInt8]) {
        let pipe = try Descriptor.pipe(nonblockingRead: false)
        let devNull: Int32
        var inputWrite: Int32 = -1
        do {
            if input != nil {
                let inputPipe = try Descriptor.pipe(nonblockingRead: false)
                devNull = inputPipe.read
                inputWrite = inputPipe.write
            } else {
                devNull = try Descriptor.openDevNull()
            }
        } catch { Descriptor.close(pipe.read); Descriptor.close(pipe.write); throw error }
        let pid: Int32
        do {
            pid = try Spawner.spawn(path: arguments.first ?? "", arguments: arguments, environment: environment, cwd: cwd,
                                    stdin: devNull, stdout: pipe.write, stderr: pipe.write)
        } catch {
            Descriptor.close(pipe.read)
            Descriptor.close(pipe.write)
            Descriptor.close(devNull)
            if inputWrite >= 0 { Descriptor.close(inputWrite) }
            throw SystemError(call: "spawn", errno: error.errno, context: "\(arguments.first ?? ""): \(error)")
        }
        Descriptor.close(pipe.write)
        Descriptor.close(devNull)
        if let input, inputWrite >= 0 {
            // A program that stops reading early (a syntax error on line 1) makes
            // this EPIPE, which writeAll takes as the end.
            Descriptor.writeAll(inputWrite, input)
            Descriptor.close(inputWrite)
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let .bytes(n)? = try? Descriptor.read(pipe.read, into: &buffer) {
            if output.count < limit { output.append(contentsOf: buffer[..<min(n, limit - output.count)]) }
        }
        Descriptor.close(pipe.read)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SystemError(call: "waitpid", errno: errno, context: arguments.first ?? "") }
        }
        var code: Int32 = 0
        var signo: Int32 = 0
        let result: ExitStatus = orch_decode_status(status, &code, &signo) == 2 ? .signaled(signo) : .exited(code)
        return (result, output)
    }
}
