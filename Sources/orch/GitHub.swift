import OrchCore
import OrchRuntime

/// GitHub Actions output for `orch run` when GITHUB_ACTIONS=true: the summary as a
/// Markdown table for $GITHUB_STEP_SUMMARY, and one `::error` workflow command per
/// failed target (the format: docs.github.com, "Workflow commands for GitHub Actions").

/// How many last lines an annotation carries.
let annotationLines = 20

/// A Markdown section: the outcome, then process, result, code, restarts, duration.
func githubStepSummary(_ results: [InstanceResult], exitCode: Int32) -> String {
    var text = "### orch run: \(exitCode == 0 ? "passed" : "failed (exit code \(exitCode))")\n\n"
    text += "| Process | Result | Code | Restarts | Duration |\n"
    text += "| --- | --- | --- | --- | --- |\n"
    for r in results {
        let cells = [r.name, describe(r.result), r.exitCode.map(String.init) ?? "-", String(r.restarts), r.duration.map(\.humanDescription) ?? "-"]
        text += "| " + cells.map(markdownCell).joined(separator: " | ") + " |\n"
    }
    return text + "\n"
}

/// One `::error title=…::` line per instance that failed or per target that did not
/// finish, with its last lines as the message.
func githubAnnotations(_ results: [InstanceResult]) -> String {
    var text = ""
    for r in results {
        let title: String
        switch r.result {
        case let .failed(why): title = "\(r.name) failed (\(why))"
        case let .unfinished(why) where r.target: title = "\(r.name) did not finish (\(why))"
        case let .notStarted(why) where r.target: title = "\(r.name) did not run (\(why))"
        default: continue
        }
        let lines = r.lastLines.suffix(annotationLines)
        let message = lines.isEmpty ? "no output" : "last \(lines.count) line\(lines.count == 1 ? "" : "s"):\n" + lines.joined(separator: "\n")
        text += "::error title=\(escapeProperty(title))::\(escapeData(message))\n"
    }
    return text
}

/// Workflow command data: %, CR and LF are encoded.
func escapeData(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
        switch c {
        case "%": out += "%25"
        case "\r": out += "%0D"
        case "\n": out += "%0A"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// Workflow command properties: like data, plus `:` and `,`.
func escapeProperty(_ text: String) -> String {
    var out = ""
    for c in escapeData(text).unicodeScalars {
        switch c {
        case ":": out += "%3A"
        case ",": out += "%2C"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// A table cell: pipes escaped, line breaks as spaces.
private func markdownCell(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
        switch c {
        case "|": out += "\\|"
        case "\n", "\r": out += " "
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
