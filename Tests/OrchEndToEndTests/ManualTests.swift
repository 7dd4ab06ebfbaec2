import Foundation
import Testing

extension EndToEnd {
    /// The man page (orch.1) and the help text, as a user reads them.
    @Suite struct ManualTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

        /// Every command and option of the CLI (from ArgumentParser's own dump) is in
        /// orch.1: a command or option added without regenerating the page fails here.
        @Test func manPageCoversEveryCommandAndOption() throws {
            let dump = try runToEnd(["--experimental-dump-help"], in: Self.repository)
            #expect(dump.code == 0)
            let nonASCII = dump.out.unicodeScalars.filter { !$0.isASCII }.map(String.init)
            #expect(nonASCII.isEmpty, "the man page generator drops non-ASCII help text: \(nonASCII)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.out.utf8)) as? [String: Any])
            var commands: [(path: String, options: [String])] = []
            var optionCount = 0
            var positionalCount = 0
            var stack: [(prefix: String, command: [String: Any])] = [("", try #require(json["command"] as? [String: Any]))]
            while let (prefix, command) = stack.popLast() {
                let name = (command["commandName"] as? String) ?? ""
                let path = prefix.isEmpty ? name : prefix + " " + name
                let options = ((command["arguments"] as? [[String: Any]]) ?? []).compactMap { argument -> String? in
                    guard let names = argument["names"] as? [[String: Any]], (argument["shouldDisplay"] as? Bool) ?? true else { return nil }
                    return names.first { ($0["kind"] as? String) == "long" }.flatMap { $0["name"] as? String }
                }
                commands.append((path, options))
                for argument in (command["arguments"] as? [[String: Any]]) ?? [] where (argument["shouldDisplay"] as? Bool) ?? true {
                    if (argument["kind"] as? String) == "positional" { positionalCount += 1 } else { optionCount += 1 }
                }
                for sub in (command["subcommands"] as? [[String: Any]]) ?? [] where (sub["shouldDisplay"] as? Bool) ?? true {
                    stack.append((path, sub))
                }
            }
            #expect(commands.contains { $0.path == "orch export" })
            let page = try String(contentsOfFile: Self.repository + "/orch.1", encoding: .utf8)
            let optionLines = page.split(separator: "\n").filter { $0.hasPrefix(".It Fl ") }.map { $0 + " " }
            // Every command lists its own options: an option added to one command changes the count.
            #expect(optionLines.count == optionCount, "orch.1 lists \(optionLines.count) options, the commands have \(optionCount): run .ci/generate-cli-docs")
            #expect(page.split(separator: "\n").filter { $0.hasPrefix(".It Ar ") }.count == positionalCount, "orch.1's arguments differ from the commands': run .ci/generate-cli-docs")
            for command in commands {
                let last = command.path.split(separator: " ").last.map(String.init) ?? ""
                #expect(page.contains(".It Em \(last)") || command.path == "orch", "orch.1 lacks `\(command.path)`: run .ci/generate-cli-docs")
                for option in command.options {
                    #expect(optionLines.contains { $0.contains("-\(option) ") }, "orch.1 lacks --\(option) of `\(command.path)`: run .ci/generate-cli-docs")
                }
            }
        }

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/man"), "man is not installed (apt-get install man-db; .ci/run does)"))
        func manRendersThePage() throws {
            let run = try Running(["-l", Self.repository + "/orch.1"], in: Self.repository,
                                  environment: ["MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat", "LANG": "C.UTF-8"], executable: "/usr/bin/man")
            defer { run.ensureStopped() }
            #expect(run.waitForExit(timeout: 60) == 0, "man: \(run.stderr)")
            #expect(run.stdout.contains("orch — A process supervisor"), "\(run.stdout.prefix(400))")
            #expect(run.stdout.contains("export  Write the project as another supervisor's files"), "\(run.stdout)")
            let examples = examplesBlock(run.stdout)
            #expect(examples.count == 7)
            for line in examples { #expect(line.trimmingCharacters(in: .whitespaces).hasPrefix("orch "), "an example wraps in man: '\(line)'") }
        }

        /// `orch --help` at 80 columns: every example is one line.
        @Test func helpExamplesDoNotWrapAt80Columns() throws {
            let result = try runToEnd(["--help"], in: Self.repository, environment: ["COLUMNS": "80"])
            #expect(result.code == 0)
            let examples = examplesBlock(result.out)
            #expect(examples.count == 7, "\(result.out)")
            for line in examples {
                #expect(line.hasPrefix("  orch "), "an example wraps: '\(line)'")
                #expect(line.count <= 80)
            }
        }

        /// The lines after `EXAMPLES` up to the next empty line.
        func examplesBlock(_ text: String) -> [String] {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "EXAMPLES" }) else { return [] }
            return Array(lines[(start + 1)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        }
    }
}
