import Testing
@testable import OrchCLI

/// `orch ---complete INDEX WORDS...`: what the shell scripts offer for WORDS[INDEX],
/// from the tables alone.
@Suite struct CompletionTests {
    static func offered(_ words: [String], at index: Int? = nil) -> [String] {
        Completion.candidates(Fixture.root, index: index ?? words.count - 1, words: words)
    }

    @Test(arguments: [
        ([""], ["run", "copy", "kill", "ctl", "help"]),
        (["c"], ["copy", "ctl"]),
        (["x"], []),
        (["-"], ["--help", "--version"]),
        (["--v"], ["--version"]),
        (["ctl", ""], ["ps", "logs"]),
        (["ctl", "l"], ["logs"]),
        (["ctl", "-"], ["--help", "--version"]),
        (["bogus", ""], []),
        (["ctl", "bogus", ""], []),
    ])
    func subcommands(_ words: [String], _ expected: [String]) {
        #expect(Self.offered(words) == expected)
    }

    @Test(arguments: [
        (["run", "-"], ["--file", "--env", "--count", "--color", "--dir", "--all", "--brief", "--timestamps", "--no-timestamps", "--help"]),
        (["run", "--t"], ["--timestamps"]),
        (["run", "--no"], ["--no-timestamps"]),
        (["run", "--e"], ["--env"]),
        (["run", "--x"], []),
        (["run", "web", "-f", "a", "--a"], ["--all"]),
        (["ctl", "ps", "--"], ["--json", "--help"]),
        (["ctl", "status", "--j"], ["--json"]),
        (["copy", "-"], ["--help"]),
    ])
    func options(_ words: [String], _ expected: [String]) {
        #expect(Self.offered(words) == expected)
    }

    /// After an option that takes a value, its values: `:file` and `:directory` ask
    /// the shell to complete a path; a list is filtered by what is typed.
    @Test(arguments: [
        (["run", "-f", ""], [":file"]),
        (["run", "--file", ""], [":file"]),
        (["run", "--file", "Pro"], [":file"]),
        (["run", "-e", "x", "--env", ""], [":file"]),
        (["run", "--dir", ""], [":directory"]),
        (["run", "--color", ""], ["auto", "always", "never"]),
        (["run", "--color", "a"], ["auto", "always"]),
        (["run", "--color", "x"], []),
        (["run", "--color", "-"], []),
        (["run", "-n", ""], []),
        (["run", "-af", ""], [":file"]),
        (["run", "-abf", ""], [":file"]),
        (["ctl", "logs", "-fn", ""], []),
        (["ctl", "logs", "-n", "5", ""], ["web", "worker"]),
    ])
    func optionValues(_ words: [String], _ expected: [String]) {
        #expect(Self.offered(words) == expected)
    }

    /// Positionals by their place; an option's value, a flag or `-fVALUE` is no place.
    @Test(arguments: [
        (["run", ""], ["web", "worker", "db"]),
        (["run", "w"], ["web", "worker"]),
        (["run", "web", ""], ["web", "worker", "db"]),
        (["run", "-f", "x", ""], ["web", "worker", "db"]),
        (["run", "-fx", ""], ["web", "worker", "db"]),
        (["run", "--file=x", ""], ["web", "worker", "db"]),
        (["run", "-fa", ""], ["web", "worker", "db"]),
        (["run", "-a", ""], ["web", "worker", "db"]),
        (["run", "--timestamps", "d"], ["db"]),
        (["copy", ""], [":file"]),
        (["copy", "a", ""], [":directory"]),
        (["copy", "-", ""], [":directory"]),
        (["copy", "a", "b", ""], ["fast", "slow"]),
        (["copy", "a", "b", "f"], ["fast"]),
        (["copy", "a", "b", "c", ""], []),
        (["kill", "a", ""], []),
        (["ctl", "logs", ""], ["web", "worker"]),
        (["ctl", "logs", "--more", ""], ["web", "worker", "db"]),
        (["ctl", "logs", "--more", "d"], ["db"]),
    ])
    func positionals(_ words: [String], _ expected: [String]) {
        #expect(Self.offered(words) == expected)
    }

    /// After the first `--` every word is a positional, even one that starts with a dash.
    @Test(arguments: [
        (["run", "--", ""], ["web", "worker", "db"]),
        (["run", "--", "-"], []),
        (["run", "--", "--", "w"], ["web", "worker"]),
        (["copy", "--", "-x", ""], [":directory"]),
        (["copy", "--", "-x", "--", ""], ["fast", "slow"]),
        (["copy", "--", "-"], [":file"]),
    ])
    func afterTheTerminator(_ words: [String], _ expected: [String]) {
        #expect(Self.offered(words) == expected)
    }

    /// bash splits `--color=al` at the `=` (it is in COMP_WORDBREAKS) and completes
    /// the part after it; zsh and fish pass the word whole and take it back whole.
    @Test(arguments: [
        (["run", "--color", "="], ["auto", "always", "never"]),
        (["run", "--color", "=", "al"], ["always"]),
        (["run", "--file", "="], [":file"]),
        (["run", "--file", "=", "Pro"], [":file"]),
        (["run", "--file", "=", "x", ""], ["web", "worker", "db"]),
        (["run", "--file", "=", "x", "--color", "=", "n"], ["never"]),
        (["run", "-f", "="], [":file"]),
        (["run", "-f", "=", ""], [":file"]),
        (["run", "-af", "=", "x", ""], ["web", "worker", "db"]),
        (["run", "-f=x", ""], ["web", "worker", "db"]),
        (["run", "-n", "=", "5", "w"], ["web", "worker"]),
        (["run", "--all", "=", ""], ["web", "worker", "db"]),
        (["run", "--color=al"], ["--color=always"]),
        (["run", "--color="], ["--color=auto", "--color=always", "--color=never"]),
        (["run", "--color=x"], []),
        (["run", "--color=a=b"], []),
        (["run", "--file=Pro"], []),
        (["run", "--dir="], []),
        (["run", "--count="], []),
        (["run", "--all="], []),
        (["run", "--bogus="], []),
        (["run", "--", "--color=a"], []),
        (["ctl", "logs", "--more", "--lines=5", "w"], ["web", "worker"]),
    ])
    func valuesAfterAnEqualsSign(_ words: [String], _ expected: [String]) {
        #expect(Self.offered(words) == expected)
    }

    /// `help` takes the names of commands and nothing else.
    @Test(arguments: [
        (["help", ""], ["run", "copy", "kill", "ctl"]),
        (["help", "c"], ["copy", "ctl"]),
        (["help", "ctl", ""], ["ps", "logs"]),
        (["help", "ctl", "p"], ["ps"]),
        (["help", "run", ""], []),
        (["help", "run", "w"], []),
        (["help", "ctl", "ps", ""], []),
        (["help", "-"], []),
        (["help", "ctl", "-"], []),
        (["help", "bogus", ""], []),
        (["help"], ["help"]),
    ])
    func helpTakesCommandNames(_ words: [String], _ expected: [String]) {
        #expect(Self.offered(words) == expected)
    }

    /// An index past the words completes a new word after them; one before the first
    /// (a script bug, or a hand-typed `---complete`) completes nothing, never a trap.
    @Test(arguments: [
        ([String](), 0, ["run", "copy", "kill", "ctl", "help"]),
        ([String](), 5, ["run", "copy", "kill", "ctl", "help"]),
        (["run"], 1, ["web", "worker", "db"]),
        (["run"], Int.max, ["web", "worker", "db"]),
        (["ctl"], 7, ["ps", "logs"]),
        (["run"], -1, []),
        ([String](), -1, []),
        (["run", "w"], Int.min, []),
    ])
    func indexesOutOfRange(_ words: [String], _ index: Int, _ expected: [String]) {
        #expect(Self.offered(words, at: index) == expected)
    }

    /// The cursor may be on a word in the middle: only the words before it count.
    @Test func theCursorInTheMiddle() {
        #expect(Self.offered(["c", "a", "b"], at: 0) == ["copy", "ctl"])
        #expect(Self.offered(["run", "--color", "a", "web"], at: 2) == ["auto", "always"])
    }

    @Test func thousandsOfWords() {
        let words = ["run"] + Array(repeating: "web", count: 50_000) + [""]
        #expect(Self.offered(words) == ["web", "worker", "db"])
        let values = ["run"] + Array(repeating: ["-f", "x"], count: 25_000).flatMap { $0 } + ["-f", ""]
        #expect(Self.offered(values) == [":file"])
    }

    /// The scripts are fixed text: they name the program and call `---complete`.
    @Test(arguments: Parser.shells)
    func scripts(_ shell: String) {
        let script = Completion.script(shell: shell, program: "tool")
        #expect(script.contains("(`tool ---complete INDEX WORDS...`)"))
        #expect(script.contains(":file") && script.contains(":directory"))
        #expect(!script.contains("orch"))
    }
}
