import Foundation
import Testing

extension EndToEnd {
    /// `log: {file}` when the disk is full: reported once, whole lines only, no empty
    /// rotated file, only what was written counts toward `max_size`.
    @Suite struct LogFileFaultTests {
        static let config = """
        processes:
          spam:
            command: 'i=1000; while [ $i -lt 1300 ]; do printf "%d %0990d\\n" $i 0; i=$((i+1)); done'
            kind: job
            log: { file: logs/spam.log, max_size: 40K, keep: 1 }
        """

        private func run(_ command: String, _ arguments: [String]) -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = arguments
            guard (try? process.run()) != nil else { return -1 }
            process.waitUntilExit()
            return process.terminationStatus
        }

        /// A 64 KiB tmpfs under the project's `logs` (needs root to mount).
        @Test(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
        func aFullDiskKeepsWholeLinesAndIsReportedOnce() throws {
            let project = try Project(["orch.yaml": Self.config])
            let logs = project.path + "/logs"
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            try #require(run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", logs]) == 0)
            defer {
                _ = run("/bin/umount", [logs])
                project.cleanup()
            }
            let result = try runToEnd(["run", "spam", "--no-control"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            let reports = result.out.components(separatedBy: "spam: cannot write").count - 1
            #expect(reports == 1, "reported once: \(result.out.suffix(2000))")
            #expect(result.out.contains("No space left on device"))

            var numbers: [Int] = []
            for name in ["spam.log.1", "spam.log"] {
                let text = try #require(project.read("logs/" + name), "\(name) exists")
                #expect(!text.isEmpty, "\(name) is not an empty rotation")
                #expect(text.hasSuffix("\n"), "\(name) ends with a whole line")
                #expect(text.utf8.count <= 40 * 1024, "\(name) holds to max_size")
                for line in text.split(separator: "\n") {
                    #expect(line.count == 995, "whole line in \(name): \(line.prefix(20))… (\(line.count) bytes)")
                    if let number = Int(line.prefix(4)) { numbers.append(number) }
                }
            }
            #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count, "lines in order, none twice")
            #expect(numbers.first == 1000)
        }

        /// Without root: the log file is a symlink to /dev/full, where every write fails.
        @Test func aLogFileThatCannotBeWrittenIsReportedOnceAndNeverRotated() throws {
            let project = try Project(["orch.yaml": Self.config])
            defer { project.cleanup() }
            try FileManager.default.createDirectory(atPath: project.path + "/logs", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: project.path + "/logs/spam.log", withDestinationPath: "/dev/full")
            let result = try runToEnd(["run", "spam", "--no-control"], in: project.path)
            #expect(result.code == 0, "\(result.err)")
            #expect(result.out.components(separatedBy: "spam: cannot write").count - 1 == 1, "\(result.out.suffix(2000))")
            #expect(!FileManager.default.fileExists(atPath: project.path + "/logs/spam.log.1"), "nothing rotated")
        }
    }
}
