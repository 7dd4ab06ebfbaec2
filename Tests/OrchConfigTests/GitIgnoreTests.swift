import Foundation
import Testing
@testable import OrchConfig

/// One ignore situation: files (`.gitignore` per directory, `.git/info/exclude`)
/// and the paths to ask about, with git's answer.
struct IgnoreCase: CustomTestStringConvertible, Sendable {
    var files: [String: String]
    /// path (a trailing `/` marks a directory) → ignored
    var expected: [(String, Bool)]
    var testDescription: String { files.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.debugDescription)" }.joined(separator: "; ") }

    var ignore: GitIgnore {
        var result = GitIgnore()
        if let exclude = files[".git/info/exclude"] { result.add(exclude, base: "", source: ".git/info/exclude") }
        // Top-down, as the watcher adds them: shallower directories first.
        let gitignores = files.keys.filter { $0.hasSuffix(".gitignore") }.sorted { $0.split(separator: "/").count < $1.split(separator: "/").count }
        for name in gitignores {
            let base = name == ".gitignore" ? "" : String(name.dropLast("/.gitignore".count))
            result.add(files[name]!, base: base, source: name)
        }
        return result
    }
}

let ignoreCases: [IgnoreCase] = [
    // Plain names match at any depth; a pattern names files and directories alike.
    IgnoreCase(files: [".gitignore": "build\n*.log\n"], expected: [
        ("build/", true), ("build/out.o", true), ("src/build/", true), ("lib/build", true),
        ("a.log", true), ("src/deep/b.log", true), ("a.log.txt", false), ("src/main.c", false),
    ]),
    // `#` comments, blank lines, `\#` and `\!` escapes, trailing spaces unless escaped.
    IgnoreCase(files: [".gitignore": "# comment\n\n\\#hash\n\\!bang\ntrail   \nkeep\\ \n"], expected: [
        ("# comment", false), ("#hash", true), ("!bang", true), ("trail", true), ("trail   ", false),
        ("keep ", true), ("keep", false),
    ]),
    // `?`, `[...]` with ranges, negation and classes.
    IgnoreCase(files: [".gitignore": "file?.txt\n[abc].c\n[!x-z].h\n[[:digit:]]*.md\nlit[]]\n"], expected: [
        ("file1.txt", true), ("file12.txt", false), ("file/.txt", false), ("a.c", true), ("d.c", false),
        ("a.h", true), ("y.h", false), ("1readme.md", true), ("readme.md", false), ("lit]", true),
    ]),
    // A leading `/` anchors to the file's directory; a slash in the middle anchors too.
    IgnoreCase(files: [".gitignore": "/root.txt\ndocs/*.html\n"], expected: [
        ("root.txt", true), ("sub/root.txt", false), ("docs/a.html", true), ("docs/sub/a.html", false),
        ("sub/docs/a.html", false),
    ]),
    // A trailing `/` matches directories only.
    IgnoreCase(files: [".gitignore": "out/\n"], expected: [
        ("out/", true), ("out/file", true), ("src/out/", true), ("lib/out", false), ("lib/x/out", false),
    ]),
    // `**`: leading, trailing, in the middle; elsewhere it is a plain `*`.
    IgnoreCase(files: [".gitignore": "**/logs\n**/cache/tmp\nabc/**\na/**/b\nx**y\n"], expected: [
        ("logs/", true), ("deep/er/logs", true), ("cache/tmp", true), ("x/cache/tmp", true),
        ("abc/file", true), ("abc/d/e", true), ("abc", false), ("a/b", true), ("a/x/b", true),
        ("a/x/y/b", true), ("xzy", true), ("xzzy", true), ("x/y", false),
    ]),
    // `!` re-includes; the last matching pattern wins.
    IgnoreCase(files: [".gitignore": "*.log\n!keep.log\nkeep2.log\n!keep2.log\nnot.log\n"], expected: [
        ("a.log", true), ("keep.log", false), ("sub/keep.log", false), ("keep2.log", false), ("not.log", true),
    ]),
    // A file under an ignored directory cannot be re-included.
    IgnoreCase(files: [".gitignore": "build/\n!build/keep.txt\n"], expected: [
        ("build/keep.txt", true), ("build/other", true),
    ]),
    // ... but ignoring the contents and re-including one works.
    IgnoreCase(files: [".gitignore": "build/*\n!build/keep.txt\n"], expected: [
        ("build/keep.txt", false), ("build/other", true), ("build/", false),
    ]),
    // A nested .gitignore applies to its own directory and overrides the parent's.
    IgnoreCase(files: [".gitignore": "*.tmp\n", "sub/.gitignore": "!*.tmp\n/local\ngen/\n"], expected: [
        ("a.tmp", true), ("sub/a.tmp", false), ("sub/deep/a.tmp", false), ("other/a.tmp", true),
        ("sub/local", true), ("sub/deep/local", false), ("local", false), ("sub/gen/x.c", true), ("gen/x.c", false),
    ]),
    // .git/info/exclude ranks below every .gitignore.
    IgnoreCase(files: [".git/info/exclude": "secret\n*.bak\n", ".gitignore": "!keep.bak\n"], expected: [
        ("secret", true), ("sub/secret", true), ("a.bak", true), ("keep.bak", false),
    ]),
    // Dots, spaces and unicode are ordinary characters; `*` does not cross `/`.
    IgnoreCase(files: [".gitignore": "*.min.js\nmy file\nnaïve*\ndocs/*\n"], expected: [
        ("app.min.js", true), ("app.js", false), ("my file", true), ("naïve.txt", true),
        ("docs/a", true), ("docs/c/b", true), ("sub/docs/a", false),
    ]),
]

@Suite struct GitIgnoreTests {
    @Test(arguments: ignoreCases)
    func matchesGitsRules(_ situation: IgnoreCase) {
        let ignore = situation.ignore
        for (path, expected) in situation.expected {
            let isDirectory = path.hasSuffix("/")
            let bare = isDirectory ? String(path.dropLast()) : path
            #expect(ignore.isIgnored(bare, isDirectory: isDirectory) == expected, "\(path)")
        }
    }

    @Test(arguments: [
        ("a*c", "abc", true), ("a*c", "a/c", false), ("a?c", "a/c", false), ("a[/]c", "a/c", false),
        ("**", "a/b/c", true), ("a/**", "a/b/c", true), ("**/c", "a/b/c", true), ("**/c", "c", true),
        ("a/**/c", "a/c", true), ("a/**/c", "a/b/x/c", true), ("a**c", "ab/c", false),
        ("\\*", "*", true), ("\\*", "a", false), ("[a-", "a", false), ("[[:nope:]]", "a", false),
        ("*[", "a[", false), ("[]-]", "-", true), ("[^a]", "b", true), ("*.c", ".c", true),
        ("foo/*/bar", "foo/x/bar", true), ("foo/*/bar", "foo/x/y/bar", false),
    ])
    func wildmatch(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(Wildmatch.matches(pattern, text) == expected)
    }

    @Test func overLongPatternsAndManyStarsStayCheap() {
        var ignore = GitIgnore()
        ignore.add(String(repeating: "x", count: GitIgnore.maximumPatternLength + 1) + "\n" + String(repeating: "*a", count: 1000) + "b\n", base: "", source: ".gitignore")
        #expect(ignore.patterns.count == 1)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(!ignore.isIgnored(String(repeating: "a", count: 3000), isDirectory: false))
        }
        #expect(elapsed < .seconds(2))
    }

    @Test func patternSourceNamesFileAndLine() throws {
        var ignore = GitIgnore()
        ignore.add("# c\n*.log\n", base: "app", source: "app/.gitignore")
        let pattern = try #require(ignore.match("app/x.log", isDirectory: false))
        #expect(pattern.source == "app/.gitignore:2")
    }

    /// The same situations, asked of the real git (when it is installed).
    @Test(.enabled(if: gitPath != nil), arguments: ignoreCases)
    func agreesWithGitCheckIgnore(_ situation: IgnoreCase) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch-gitignore-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = try git(["init", "-q", "."], in: directory)
        for (name, text) in situation.files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        }
        // Make each path exist with its kind, so git sees directories as directories.
        for (path, _) in situation.expected where !path.hasPrefix(".git") {
            let full = directory + "/" + path
            if path.hasSuffix("/") {
                try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
            } else if !FileManager.default.fileExists(atPath: full) {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: full, contents: Data())
            }
        }
        let ignore = situation.ignore
        for (path, _) in situation.expected {
            let isDirectory = path.hasSuffix("/")
            let bare = isDirectory ? String(path.dropLast()) : path
            let gitSays = try git(["check-ignore", "-q", "--", bare], in: directory) == 0
            #expect(ignore.isIgnored(bare, isDirectory: isDirectory) == gitSays, "\(path): git says \(gitSays ? "ignored" : "not ignored")")
        }
    }
}

let gitPath: String? = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs git quietly in `directory`; returns its exit code.
func git(_ arguments: [String], in directory: String) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gitPath ?? "/usr/bin/git")
    process.arguments = ["-c", "core.excludesFile=/dev/null"] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ["HOME": directory, "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
