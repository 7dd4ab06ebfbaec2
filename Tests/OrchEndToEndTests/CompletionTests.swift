import Foundation
import Testing

/// The shell completions in completions/: generated from the command definitions
/// (so they cannot drift), and completing process names from the project's config.
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

    @Test func noConfigCompletesNothingAndPrintsNothing() throws {
        let project = try Project(["orch.yaml": "processes: [\n"])
        defer { project.cleanup() }
        #expect(try complete("orch ctl restart ", in: project.path) == ["all"])
        let empty = try Project()
        defer { empty.cleanup() }
        #expect(try complete("orch up ", in: empty.path) == [])
    }
}
