import Foundation
import Testing

extension EndToEnd {
    /// The built binary on odd and hostile command lines: a mistake is exit 64 with
    /// an `Error:` line and the command's `Usage:` line on stderr, help is exit 0 on
    /// stdout, and nothing traps, starts a process or floods the terminal.
    @Suite struct CommandLineTests {
        /// Linux refuses a single argument longer than MAX_ARG_STRLEN (32 pages,
        /// 128 KiB with its NUL): the longest word a user can hand orch.
        static let longest = String(repeating: "x", count: 128 * 1024 - 1)
        static let quoted = String(repeating: "x", count: 200) + "…"

        struct CommandLine: Sendable, CustomTestStringConvertible {
            let label: String
            let arguments: [String]
            let code: Int32
            /// A line stderr has (code 64 and 2), or text stdout has (code 0).
            let says: String
            /// The `Usage:` line of a usage error.
            var usage: String?
            var testDescription: String { label }
        }

        static func mistake(_ label: String, _ arguments: [String], _ error: String, _ usage: String) -> CommandLine {
            CommandLine(label: label, arguments: arguments, code: 64, says: "Error: " + error, usage: "Usage: " + usage)
        }

        static let up = "orch up [<options>] [<names> ...]"

        static let commandLines: [CommandLine] = [
            mistake("unknown long option", ["up", "--bogus"], "Unknown option '--bogus'", up),
            mistake("unknown long option with a value", ["up", "--bogus=1"], "Unknown option '--bogus'", up),
            mistake("unknown short option", ["check", "-x"], "Unknown option '-x'", "orch check [<options>]"),
            mistake("unknown option of a group", ["ctl", "--bogus"], "Unknown option '--bogus'", "orch ctl <subcommand>"),
            mistake("unknown option past ASCII", ["up", "-é"], "Unknown option '-é'", up),
            mistake("unknown command", ["bogus"], "Unexpected argument 'bogus'", "orch <subcommand>"),
            mistake("unknown command of a group", ["ctl", "bogus"], "Unexpected argument 'bogus'", "orch ctl <subcommand>"),
            mistake("help for an unknown command", ["help", "bogus"], "Unknown subcommand 'bogus'", "orch <subcommand>"),
            mistake("help for an unknown subcommand", ["help", "ctl", "bogus"], "Unknown subcommand 'bogus'", "orch ctl <subcommand>"),
            mistake("empty words", ["", ""], "Unexpected argument ''", "orch <subcommand>"),
            mistake("a lone dash is a word", ["check", "-"], "Unexpected argument '-'", "orch check [<options>]"),
            mistake("an equals sign and no name", ["up", "--=x"], "Unknown option '--=x'", up),
            mistake("three dashes", ["up", "---"], "Unknown option '---'", up),
            mistake("a value that is the terminator", ["up", "-e", "--"], "Missing value for '-e <file>'", up),
            mistake("a number too large", ["ctl", "logs", "-n", "99999999999999999999999"],
                    "The value '99999999999999999999999' is invalid for '-n <lines>'", "orch ctl logs [<options>] [<names> ...]"),
            mistake("a short option's value after '='", ["ctl", "logs", "-n=x"],
                    "The value 'x' is invalid for '-n <lines>'", "orch ctl logs [<options>] [<names> ...]"),
            mistake("not one of the choices", ["up", "--color", "sometimes"],
                    "The value 'sometimes' is invalid for '--color <color>'. Please provide one of 'auto', 'always' or 'never'.", up),
            mistake("a word after the terminator of a command without arguments", ["check", "--", "x"], "Unexpected argument 'x'", "orch check [<options>]"),
            mistake("the longest word", ["check", longest], "Unexpected argument '\(quoted)'", "orch check [<options>]"),
            mistake("1 MB in eight words", ["check"] + Array(repeating: longest, count: 8), "Unexpected argument '\(quoted)'", "orch check [<options>]"),
            mistake("the longest option name", ["up", "--" + longest.dropFirst(2)], "Unknown option '--\(quoted.dropFirst(2))'", up),
            mistake("5000 arguments", ["check"] + (1...5000).map(String.init), "Unexpected argument '1'", "orch check [<options>]"),
            mistake("a negative completion index", ["---complete", "-1", "up"],
                    "---complete needs the index of the word to complete, then the words", "orch <subcommand>"),
            CommandLine(label: "a group alone", arguments: ["ctl"], code: 0, says: "USAGE: orch ctl <subcommand>"),
            CommandLine(label: "nothing", arguments: [], code: 0, says: "USAGE: orch <subcommand>"),
            CommandLine(label: "help for a subcommand", arguments: ["help", "ctl", "ps"], code: 0, says: "USAGE: orch ctl ps"),
            CommandLine(label: "help among combined flags", arguments: ["ctl", "logs", "-fh"], code: 0, says: "USAGE: orch ctl logs"),
            CommandLine(label: "help before a mistake", arguments: ["up", "--help", "--bogus"], code: 0, says: "USAGE: orch up"),
            CommandLine(label: "a huge completion index", arguments: ["---complete", "9223372036854775807", "ctl"], code: 0, says: "restart\n"),
            CommandLine(label: "2500 env files", arguments: ["check"] + Array(repeating: ["-e", ".env"], count: 2500).flatMap { $0 },
                        code: 0, says: "Procfile: 1 process"),
            CommandLine(label: "an empty name after the terminator", arguments: ["up", "--", ""], code: 2, says: "orch: no process named '' in Procfile"),
            // Messages that quote a value back keep it short (`printError`).
            CommandLine(label: "a config path of the longest word", arguments: ["up", "-f", "/" + longest.dropFirst()], code: 2, says: "orch: /xxx"),
            CommandLine(label: "an env file of the longest word", arguments: ["check", "-e", longest], code: 2, says: "orch: xxx"),
            CommandLine(label: "a listen address of the longest word", arguments: ["up", "--listen", longest], code: 2,
                        says: "orch: warning: the control port listens on xxx"),
            CommandLine(label: "an export directory of the longest word", arguments: ["export", "systemd", "/proc/" + longest.dropFirst(6)], code: 1,
                        says: "orch: cannot write into /proc/xxx"),
        ]

        @Test(arguments: commandLines)
        func oddCommandLines(_ line: CommandLine) throws {
            let project = try Project(["Procfile": "a: touch a.ran\n", ".env": "ANIMAL=otter\n"])
            defer { project.cleanup() }
            let result = try runToEnd(line.arguments, in: project.path, environment: ["XDG_RUNTIME_DIR": project.path])
            let code = try #require(result.code, "orch did not exit")
            #expect(code < 128, "orch died of signal \(code - 128): \(result.err.prefix(2000))")
            #expect(!result.err.contains("Fatal error") && !result.err.contains("crashed"), "\(result.err.prefix(2000))")
            #expect(code == line.code, "\(result.err.prefix(2000))")
            let errorLines = result.err.split(separator: "\n").map(String.init)
            switch line.code {
            case 0:
                #expect(result.out.contains(line.says), "\(result.out.prefix(2000))")
                #expect(result.err.isEmpty, "\(result.err.prefix(2000))")
            case 64:
                #expect(errorLines.first == line.says, "\(result.err.prefix(2000))")
                #expect(errorLines.contains(try #require(line.usage)), "\(result.err.prefix(2000))")
                #expect(errorLines.last?.hasSuffix("--help' for more information.") == true, "\(result.err.prefix(2000))")
                #expect(result.out.isEmpty)
                #expect(result.err.utf8.count < 1000, "a usage error of \(result.err.utf8.count) bytes")
            default:
                #expect(errorLines.contains { $0.hasPrefix(line.says) }, "\(result.err.prefix(2000))")
            }
            #expect(result.err.utf8.count < 8192, "\(result.err.utf8.count) bytes on stderr")
            #expect(project.read("a.ran") == nil, "a process was started")
        }
    }
}
