import Foundation
import Testing

extension EndToEnd {
    /// An empty path or address (an unset variable in a script) is refused before
    /// anything starts: never read as the current directory, never reported after the run.
    @Suite("Empty option values are refused up front", .serialized)
    struct EmptyArgumentTests {
        @Test(arguments: [
            (["check", "-f", ""], "-f/--file is empty"),
            (["up", "--file", ""], "-f/--file is empty"),
            (["check", "-e", " "], "-e/--env is empty"),
            (["up", "--listen", ""], "--listen is empty"),
            (["run", "--junit", "", "a"], "--junit is empty"),
            (["ctl", "ps", "--file", ""], "--file is empty"),
            (["ctl", "ps", "--token-file", ""], "--token-file is empty"),
        ])
        func emptyValuesAreUsageErrors(_ arguments: [String], _ expected: String) throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", "a: echo ran-a\n")
            let result = try stack.run(arguments)
            #expect(result.code == 64, "\(result.out)\(result.err)")
            #expect(result.err.contains(expected), "\(result.err)")
            #expect(!result.out.contains("ran-a"), "a process was started: \(result.out)")
        }
    }
}
