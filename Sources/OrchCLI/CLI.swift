import OrchSystem

/// Runs the command line against the tables and ends the process: the command's
/// own exit code, 0 after help or the version, 64 (EX_USAGE) after a usage error.
public enum CLI {
    public static func main(_ root: CommandSpec, version: String, arguments: [String]) -> Never {
        let request: Request
        do {
            request = try Parser.parse(root, arguments)
        } catch {
            fail(error, root: root)
        }
        switch request {
        case let .run(command, parsed):
            guard let run = command.run else { finish(Help.text(root, path: parsed.path, width: width())) }
            do {
                try run(parsed)
            } catch let exit as ExitCode {
                ProcessEnvironment.exit(exit.rawValue)
            } catch let error as ValidationError {
                fail(UsageError(error.description, path: parsed.path), root: root)
            } catch let error as UsageError {
                fail(error, root: root)
            } catch {
                write(2, "Error: \(error)\n")
                ProcessEnvironment.exit(1)
            }
            ProcessEnvironment.exit(0)
        case let .help(path):
            finish(Help.text(root, path: path, width: width()))
        case .version:
            finish(version + "\n")
        case let .completionScript(shell):
            finish(Completion.script(shell: shell, program: root.name))
        case let .complete(index, words):
            let candidates = Completion.candidates(root, index: index, words: words)
            finish(candidates.map { $0 + "\n" }.joined())
        case let .manual(date):
            finish(Manual.page(root, date: date, version: version))
        }
    }

    private static func width() -> Int {
        var environment: [String: String] = [:]
        environment["COLUMNS"] = ProcessEnvironment.value("COLUMNS")
        return Help.width(environment: environment)
    }

    private static func finish(_ text: String) -> Never {
        write(1, text)
        ProcessEnvironment.exit(0)
    }

    private static func fail(_ error: UsageError, root: CommandSpec) -> Never {
        write(2, Help.errorText(error, root: root))
        ProcessEnvironment.exit(64)
    }

    private static func write(_ fd: Int32, _ text: String) {
        Descriptor.writeAll(fd, Array(text.utf8))
    }
}
