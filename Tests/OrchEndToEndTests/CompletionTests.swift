import Foundation
import OrchSystem
import Testing

extension EndToEnd {
    /// The shell completions in completions/: small scripts that ask orch itself
    /// (`orch ---complete`), so they cannot drift from the commands, completing
    /// subcommands, options, their values and process names from the project's config.
    @Suite struct CompletionTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path

        @Test(arguments: [("bash", "orch.bash"), ("zsh", "_orch"), ("fish", "orch.fish")])
        func committedScriptsMatchTheCommands(shell: String, file: String) throws {
            let result = try runToEnd(["--generate-completion-script", shell], in: Self.repository)
            #expect(result.code == 0)
            let committed = try String(contentsOfFile: Self.repository + "/completions/" + file, encoding: .utf8)
            #expect(result.out == committed, "completions/\(file) is out of date: run `orch --generate-completion-script \(shell) > completions/\(file)`")
        }

        /// Loads completions/orch.bash into bash, types `LINE<TAB>` through the function
        /// `complete -p orch` names, and returns what bash would offer.
        func complete(_ line: String, in directory: String) throws -> [String] {
            let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let quotedWords = words.map { "'\($0)'" }.joined(separator: " ")
            let script = """
            source '\(Self.repository)/completions/orch.bash' || exit 3
            function=$(complete -p orch | sed -E 's/.* -F ([^ ]+) .*/\\1/')
            [ -n "$function" ] || exit 4
            COMP_LINE='\(line)'
            COMP_POINT=${#COMP_LINE}
            COMP_WORDS=(\(quotedWords))
            COMP_CWORD=\(words.count - 1)
            COMPREPLY=()
            "$function" orch '\(words.last ?? "")' '\(words.count > 1 ? words[words.count - 2] : "")'
            printf '%s\\n' "${COMPREPLY[@]}"
            """
            let binDirectory = URL(fileURLWithPath: orchBinary()).deletingLastPathComponent().path
            let path = binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let run = try Running(["--norc", "--noprofile", "-c", script], in: directory, environment: ["PATH": path], executable: "/bin/bash")
            defer { run.ensureStopped() }
            #expect(run.waitForExit(timeout: 30) == 0, "bash: \(run.stderr)")
            return run.stdout.split(separator: "\n").map(String.init)
        }

        @Test func bashCompletesProcessNamesFromTheConfig() throws {
            let project = try Project([
                "orch.yaml": "processes:\n  db: { command: exec ./db }\n  web: { command: exec ./web }\n  worker: { command: exec ./worker }\n",
                "Procfile.dev": "assets: exec ./watch\napi: exec ./api\n",
                "sub/.keep": "",
            ])
            defer { project.cleanup() }
            #expect(try complete("orch ctl restart ", in: project.path) == ["db", "web", "worker", "all"])
            #expect(try complete("orch up w", in: project.path) == ["web", "worker"])
            #expect(try complete("orch run ", in: project.path + "/sub") == ["db", "web", "worker"], "the config is found from a subdirectory")
            #expect(try complete("orch up -f Procfile.dev a", in: project.path) == ["assets", "api"])
            #expect(try complete("orch ctl logs --file Procfile.dev ", in: project.path) == ["assets", "api", "all"])
            #expect(try complete("orch ctl signal web ", in: project.path).contains("HUP"))
            #expect(try complete("orch export ", in: project.path) == ["systemd"])
        }

        static let tmux = ["/usr/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

        /// zsh and fish complete only at a real prompt: tmux runs the shell, types
        /// `orch ctl restart <TAB>` and reads the screen.
        @Test(arguments: ["zsh", "fish"])
        func interactiveShellsCompleteProcessNames(shell: String) throws {
            guard let tmux = Self.tmux, FileManager.default.isExecutableFile(atPath: "/usr/bin/\(shell)") else {
                Issue.record("tmux or \(shell) is not installed: apt-get install tmux zsh fish (.ci/run does)")
                return
            }
            let project = try Project(["orch.yaml": "processes:\n  db: { command: exec ./db }\n  web: { command: exec ./web }\n  worker: { command: exec ./worker }\n"])
            defer { project.cleanup() }
            let socket = project.path + "/tmux.sock"
            let binDirectory = URL(fileURLWithPath: orchBinary()).deletingLastPathComponent().path
            let path = binDirectory + ":/usr/bin:/bin"
            // tmux's server outlives the client that starts it: OrchSystem's spawn closes
            // every other descriptor in the child, so the server holds none of ours.
            func tmuxRun(_ arguments: [String]) throws -> String {
                let result = try ShortCommand.run([tmux, "-S", socket] + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": project.path, "TERM": "xterm"])
                return String(decoding: result.output, as: UTF8.self)
            }
            let command = shell == "zsh" ? "zsh -f" : "fish --no-config"
            _ = try tmuxRun(["new-session", "-d", "-s", "t", "-x", "160", "-y", "40", "-c", project.path,
                             "env PATH=\(path) HOME=\(project.path) XDG_DATA_HOME=\(project.path) XDG_CONFIG_HOME=\(project.path) \(command)"])
            let server = Int32(try tmuxRun(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
            defer {
                _ = try? tmuxRun(["kill-server"])
                if let server, isAlive(server) { kill(server, SIGKILL) }
            }
            let setup = shell == "zsh"
                ? "fpath=(\(Self.repository)/completions $fpath); autoload -U compinit; compinit -u; echo setup-done"
                : "source \(Self.repository)/completions/orch.fish; echo setup-done"
            _ = try tmuxRun(["send-keys", "-t", "t", setup, "Enter"])
            #expect(eventually(timeout: 20) { (try? tmuxRun(["capture-pane", "-t", "t", "-p"]))?.contains("setup-done\n") == true })
            _ = try tmuxRun(["send-keys", "-t", "t", "orch ctl restart ", "Tab"])
            var screen = ""
            let offered = eventually(timeout: 20) {
                screen = (try? tmuxRun(["capture-pane", "-t", "t", "-p"])) ?? ""
                guard let typed = screen.range(of: "orch ctl restart", options: .backwards) else { return false }
                let after = screen[typed.upperBound...]
                return ["db", "web", "worker", "all"].allSatisfy { name in after.split(whereSeparator: { $0 == " " || $0 == "\n" }).contains { $0 == name } }
            }
            #expect(offered, "\(shell) offered:\n\(screen)")
        }

        /// bash splits `--color=al` at the `=` (COMP_WORDBREAKS has it): at a real
        /// prompt, values, paths and the config named by `--file=` still complete.
        @Test func bashCompletesAfterAnEqualsSign() throws {
            guard let tmux = Self.tmux else {
                Issue.record("tmux is not installed: apt-get install tmux (.ci/run does)")
                return
            }
            let project = try Project(["Procfile": "web: exec ./web\nworker: exec ./worker\n", "Procfile.dev": "assets: exec ./watch\napi: exec ./api\n"])
            defer { project.cleanup() }
            let socket = project.path + "/tmux.sock"
            let binDirectory = URL(fileURLWithPath: orchBinary()).deletingLastPathComponent().path
            func tmuxRun(_ arguments: [String]) throws -> String {
                let result = try ShortCommand.run([tmux, "-S", socket] + arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": project.path, "TERM": "xterm"])
                return String(decoding: result.output, as: UTF8.self)
            }
            _ = try tmuxRun(["new-session", "-d", "-s", "t", "-x", "160", "-y", "40", "-c", project.path,
                             "env PATH=\(binDirectory):/usr/bin:/bin HOME=\(project.path) bash --norc --noprofile"])
            let server = Int32(try tmuxRun(["display-message", "-p", "#{pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
            defer {
                _ = try? tmuxRun(["kill-server"])
                if let server, isAlive(server) { kill(server, SIGKILL) }
            }
            _ = try tmuxRun(["send-keys", "-t", "t", "source \(Self.repository)/completions/orch.bash; echo setup-done", "Enter"])
            #expect(eventually(timeout: 20) { (try? tmuxRun(["capture-pane", "-t", "t", "-p"]))?.contains("setup-done\n") == true })
            // The screen has no trailing spaces: a line ends with the completed word.
            for (typed, completed) in [("orch up --color=al", "orch up --color=always"),
                                       ("orch up --file=Procfile.d", "orch up --file=Procfile.dev"),
                                       ("orch up --file=Procfile.dev as", "orch up --file=Procfile.dev assets"),
                                       ("orch up -f=Procfile.dev ap", "orch up -f=Procfile.dev api")] {
                _ = try tmuxRun(["send-keys", "-t", "t", typed, "Tab"])
                var screen = ""
                let done = eventually(timeout: 20) {
                    screen = (try? tmuxRun(["capture-pane", "-t", "t", "-p"])) ?? ""
                    return screen.split(separator: "\n").contains { $0.hasSuffix(completed) }
                }
                #expect(done, "bash completed '\(typed)' as:\n\(screen)")
                // Ctrl-U empties the line as the next key read, in order; a Ctrl-C is a
                // signal that can overtake the keys typed next.
                _ = try tmuxRun(["send-keys", "-t", "t", "C-u"])
            }
        }

        @Test func noConfigCompletesNothingAndPrintsNothing() throws {
            let project = try Project(["orch.yaml": "processes: [\n"])
            defer { project.cleanup() }
            #expect(try complete("orch ctl restart ", in: project.path) == ["all"])
            let empty = try Project()
            defer { empty.cleanup() }
            #expect(try complete("orch up ", in: empty.path) == [])
        }
    }
}
