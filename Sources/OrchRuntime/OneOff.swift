import OrchCore
import OrchConfig
import OrchSystem

/// `orch run -- CMD ARGS…`: the command runs with orch's own stdin, stdout and
/// stderr, unprefixed. On a terminal it becomes the foreground process group, so
/// Ctrl-C (and a REPL's line editing) reach it and not orch; orch takes the terminal
/// back when it exits.
extension Runtime {
    var isRun: Bool {
        if case .run = core.mode { return true }
        return false
    }

    func spawnForeground(_ spec: InstanceSpec) {
        let arguments = spec.arguments ?? ["/bin/sh", "-c", spec.command]
        guard let first = arguments.first else {
            enqueue(.spawnFailed(instance: spec.name, reason: "no command"))
            return
        }
        // execvp(3)'s rule with the command's PATH; a name not found is left as it
        // is, so execve reports it as missing.
        let path = Spawner.findExecutable(first, path: spec.environment["PATH"]) ?? first
        let giveTerminal = Terminal.ownsForeground(0)
        let pid: Int32
        do {
            pid = try Spawner.spawn(
                path: path, arguments: arguments, environment: spec.environment, cwd: spec.cwd,
                stdin: 0, stdout: 1, stderr: 2, foreground: true)
        } catch {
            enqueue(.spawnFailed(instance: spec.name, reason: "\(error)"))
            return
        }
        if giveTerminal {
            // The child has already taken it (before execve); this closes the race
            // for anything that looks before then.
            Terminal.giveForeground(0, to: pid)
            terminalGiven = true
        }
        foregroundPid = pid
        children.adopt(pid, as: spec.name)
        enqueue(.spawned(instance: spec.name, pid: pid))
    }

    /// Ctrl-Z stopped the foreground command: take the terminal back and stop orch
    /// too, so the shell sees its job stopped; once continued (`fg`), hand the
    /// terminal back (only when orch has it again: `bg` leaves it to the shell) and
    /// continue the command's group.
    func checkForegroundStopped() {
        guard terminalGiven, let pid = foregroundPid, Terminal.childStopped(pid) else { return }
        Terminal.takeForeground(0)
        logs.flush()
        Terminal.stopSelf()
        if Terminal.ownsForeground(0) {
            Terminal.giveForeground(0, to: pid)
        } else {
            terminalGiven = false
        }
        Processes.signalGroup(pid, SIGCONT_)
    }

    /// orch's process group holds the terminal again (after the command exits).
    func takeTerminalBack() {
        foregroundPid = nil
        guard terminalGiven else { return }
        terminalGiven = false
        Terminal.takeForeground(0)
    }
}
