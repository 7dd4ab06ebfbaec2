import OrchConfig
import OrchCore
import OrchProtocol

/// What became of a reload.
enum ReloadOutcome {
    case applied(ReloadReport)
    case failed(ConfigError)
    case unavailable
}

/// Applying a re-read config: one path for `orch ctl reload` and for a saved
/// orch.yaml, Procfile or env file.
extension Runtime {
    /// Reads the config again and applies the difference (restart changed processes,
    /// start added ones, stop removed ones); a config with errors changes nothing.
    /// `announce` sees the report before anything is done, so what orch says comes
    /// before the lines of what it does. Not from inside `drainQueue`: it dispatches.
    func reloadConfig(announce: (ReloadReport) -> Void) -> ReloadOutcome {
        guard let load = options.reloadConfig ?? options.control?.reload else { return .unavailable }
        switch load() {
        case let .success(spec):
            let report = reloadReport(from: core.project, to: spec)
            announce(report)
            submit(.reload(spec))
            return .applied(report)
        case let .failure(error):
            return .failed(error)
        }
    }

    /// A saved config file, after its debounce: apply it and say what was done.
    func reloadAfterSave(_ changed: String) {
        let outcome = reloadConfig { report in
            var done: [String] = []
            if !report.restarted.isEmpty { done.append("restarted " + report.restarted.joined(separator: ", ")) }
            if !report.started.isEmpty { done.append("started " + report.started.joined(separator: ", ")) }
            if !report.stopped.isEmpty { done.append("stopped " + report.stopped.joined(separator: ", ")) }
            if let scaled = report.scaled, !scaled.isEmpty { done.append("scaled " + scaled.joined(separator: ", ")) }
            message("\(changed) changed: \(done.isEmpty ? "nothing to apply" : done.joined(separator: ", "))")
        }
        if case let .failed(error) = outcome {
            message("\(changed) changed but has errors; the running processes are kept as they are:")
            for diagnostic in error.diagnostics { message("  \(diagnostic)") }
        }
    }

    /// The config files to watch: none with --no-reload or `reload: false`.
    var watchedConfigFiles: [String] {
        guard options.reloadOnSave, core.project.reload, options.reloadConfig ?? options.control?.reload != nil else { return [] }
        return core.project.sourceFiles
    }

    /// Process by process: what a reload from `old` to `new` restarts, starts, stops, scales.
    func reloadReport(from old: ProjectSpec, to new: ProjectSpec) -> ReloadReport {
        let diff = ProjectDiff(from: old, to: new)
        return ReloadReport(restarted: diff.changed, started: diff.added, stopped: diff.removed, unchanged: diff.unchanged,
                            scaled: diff.scaled.map { "\($0.name) \($0.from)→\($0.to)" })
    }
}
