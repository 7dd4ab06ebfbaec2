import Foundation
import Testing

extension EndToEnd {
    /// The man page (orch.1) and the help text, as a user reads them.
    @Suite struct ManualTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

        /// orch.1 is what `orch ---manual` renders from the command tables today (its
        /// date aside): a command, option or help text changed without regenerating
        /// the page fails here.
        @Test func manPageIsGeneratedFromTheCommands() throws {
            let page = try String(contentsOfFile: Self.repository + "/orch.1", encoding: .utf8)
            let dateLine = try #require(page.split(separator: "\n").first { $0.hasPrefix(".Dd ") })
            let generated = try runToEnd(["---manual", String(dateLine.dropFirst(4))], in: Self.repository)
            #expect(generated.code == 0)
            #expect(generated.out == page, "orch.1 is out of date: run .ci/generate-cli-docs")
        }

        /// Every command and option that `--help` shows is in the page, and nothing else.
        @Test func manPageListsWhatHelpShows() throws {
            let page = try String(contentsOfFile: Self.repository + "/orch.1", encoding: .utf8)
            let optionLines = page.split(separator: "\n").filter { $0.hasPrefix(".It Fl ") }.map { $0 + " " }
            var stack: [[String]] = [[]]
            var helpOptions = 0
            while let path = stack.popLast() {
                let help = try runToEnd(["help"] + path, in: Self.repository, environment: ["COLUMNS": "200"])
                #expect(help.code == 0, "\(help.err)")
                let lines = help.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                func section(_ title: String) -> [String] {
                    guard let start = lines.firstIndex(of: title) else { return [] }
                    return lines[(start + 1)...].prefix { !$0.isEmpty }.filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
                }
                for line in section("OPTIONS:") {
                    helpOptions += 1
                    let long = try #require(line.split(separator: " ").first { $0.hasPrefix("--") }).split(separator: "/").first.map(String.init) ?? ""
                    #expect(optionLines.contains { $0.contains("-\(long.dropFirst(2)) ") }, "orch.1 lacks \(long) of `orch \(path.joined(separator: " "))`")
                }
                for line in section("SUBCOMMANDS:") {
                    let name = String(line.dropFirst(2).prefix { $0 != " " && $0 != "," })
                    #expect(page.contains(".It Em \(name)") || page.contains(".It Em \"\(name),"), "orch.1 lacks `orch \((path + [name]).joined(separator: " "))`")
                    stack.append(path + [name])
                }
            }
            #expect(optionLines.count == helpOptions, "orch.1 lists \(optionLines.count) options, --help shows \(helpOptions)")
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
