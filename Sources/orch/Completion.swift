import OrchCLI
import OrchConfig

/// Shell completion of process names (`orch up w<TAB>`, `orch ctl restart <TAB>`):
/// the shell scripts in completions/ call `orch ---complete …` with the words
/// typed so far, and these functions answer from the config those words name.
enum ProcessNameCompletion {
    /// For `up` and `run`: the names in the config.
    static let names: CompletionKind = .dynamic { words in processNames(words) }

    /// For `ctl` commands, which also take `all`.
    static let namesOrAll: CompletionKind = .dynamic { words in processNames(words) + ["all"] }

    /// The names of the config given by `-f FILE`, `-fFILE`, `-f=FILE`, `--file FILE`
    /// or `--file=FILE` (`--file`, `=`, `FILE` from bash) among `words`, else of the
    /// one found from the current directory.
    static func processNames(_ words: [String]) -> [String] {
        var file: String?
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            let next = words.index(after: index)
            // bash hands `--file=F` over as `--file`, `=`, `F` (`=` is in COMP_WORDBREAKS).
            let value = next < words.endIndex && words[next] == "=" ? words.index(after: next) : next
            if word == "-f" || word == "--file", value < words.endIndex {
                file = unquoted(words[value])
            } else if word.hasPrefix("--file=") {
                file = unquoted(String(word.dropFirst("--file=".count)))
            } else if word.hasPrefix("-f"), word.count > 2, !word.hasPrefix("--") {
                let attached = word.dropFirst(2)
                file = unquoted(String(attached.hasPrefix("=") ? attached.dropFirst() : attached))
            }
            index = next
        }
        if file?.isEmpty == true { file = nil }
        return ConfigLoader.processNames(file: file, workingDirectory: currentDirectory())
    }

    /// Shells pass words as typed: `'my file'` or `"my file"` loses its quotes.
    private static func unquoted(_ word: String) -> String {
        for quote: Character in ["'", "\""] where word.count >= 2 && word.first == quote && word.last == quote {
            return String(word.dropFirst().dropLast())
        }
        return word
    }
}
