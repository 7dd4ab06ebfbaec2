import OrchCore
import OrchProtocol
import OrchRuntime

/// `orch run`'s closing table: process, result, exit code, restarts, duration.
func summaryTable(_ results: [InstanceResult], color: Bool) -> String {
    var rows: [[String]] = [["PROCESS", "RESULT", "CODE", "RESTARTS", "DURATION"]]
    for r in results {
        rows.append([r.name, describe(r.result), r.exitCode.map(String.init) ?? "-", String(r.restarts), r.duration.map(\.humanDescription) ?? "-"])
    }
    let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
    var lines: [String] = []
    for (index, row) in rows.enumerated() {
        var cells = row.enumerated().map { pad($0.element, widths[$0.offset]) }
        if color && index > 0 {
            let code: String
            switch results[index - 1].result {
            case .succeeded: code = "32"
            case .failed: code = "31"
            case .unfinished: code = "31"
            case .stopped, .notStarted: code = "33"
            }
            cells[1] = "\u{1B}[\(code)m\(cells[1])\u{1B}[0m"
        }
        var line = cells.joined(separator: "  ")
        while line.last == " " { line.removeLast() }
        lines.append(line)
    }
    return lines.joined(separator: "\n") + "\n"
}

/// The summary as one JSON object, for `--log-format json`.
func summaryJSON(_ results: [InstanceResult]) -> String {
    let rows = results.map { r in
        RunSummary.Row(process: r.name, result: describe(r.result), restarts: r.restarts, code: r.exitCode, seconds: r.duration.map { Double($0.nanoseconds) / 1e9 })
    }
    return String(decoding: Wire.encode(RunSummary(summary: rows)), as: UTF8.self)
}

func describe(_ result: InstanceResult.Result) -> String {
    switch result {
    case .succeeded: return "succeeded"
    case let .failed(why): return "failed (\(why))"
    case .stopped: return "stopped"
    case .unfinished: return "stopped (did not finish)"
    case .notStarted: return "not run"
    }
}

/// A JUnit XML report: one testcase per instance. A failure carries the exit code
/// and the last lines of output; a target that did not finish is an error, one that
/// never ran is skipped, each with the reason: none of them reads as passed.
func junitReport(_ results: [InstanceResult], suite: String) -> String {
    func count(_ matches: (InstanceResult.Result) -> Bool) -> Int { results.filter { matches($0.result) }.count }
    let failures = count { if case .failed = $0 { return true } else { return false } }
    let errors = count { if case .unfinished = $0 { return true } else { return false } }
    let skipped = count { if case .notStarted = $0 { return true } else { return false } }
    let total = results.compactMap(\.duration).map { Double($0.nanoseconds) / 1e9 }.max() ?? 0
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml += "<testsuites>\n"
    xml += "  <testsuite name=\"\(escape(suite))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(seconds(total))\">\n"
    for r in results {
        let time = r.duration.map { Double($0.nanoseconds) / 1e9 } ?? 0
        xml += "    <testcase classname=\"\(escape(suite)).\(escape(r.process))\" name=\"\(escape(r.name))\" time=\"\(seconds(time))\""
        switch r.result {
        case .succeeded, .stopped:
            xml += "/>\n"
        case let .failed(why):
            xml += ">\n      <failure message=\"\(escape(why))\" type=\"\(r.exitCode.map { "exit code \($0)" } ?? "failed")\">"
            xml += escape(details(r, why))
            xml += "</failure>\n    </testcase>\n"
        case let .unfinished(why):
            xml += ">\n      <error message=\"\(escape(why))\" type=\"not finished\">"
            xml += escape(details(r, why))
            xml += "</error>\n    </testcase>\n"
        case let .notStarted(why):
            xml += ">\n      <skipped message=\"not run: \(escape(why))\"/>\n    </testcase>\n"
        }
    }
    xml += "  </testsuite>\n</testsuites>\n"
    return xml
}

/// The body of a failure: what happened, the exit code, and the last lines.
private func details(_ r: InstanceResult, _ why: String) -> String {
    var text = "\(r.name): \(why)\n"
    if let code = r.exitCode { text += "exit code: \(code)\n" }
    text += "restarts: \(r.restarts)\n"
    if !r.lastLines.isEmpty {
        text += "last \(r.lastLines.count) line\(r.lastLines.count == 1 ? "" : "s") of output:\n"
        text += r.lastLines.joined(separator: "\n") + "\n"
    }
    return text
}

private func seconds(_ value: Double) -> String {
    let millis = Int((value * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}

private func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { out += "?" } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out
}
