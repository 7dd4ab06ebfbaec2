import COrchShim

/// The guardian: a small process that outlives orch only to kill what orch started
/// when orch itself is killed (SIGKILL, a crash), since PR_SET_PDEATHSIG reaches
/// only orch's direct children and not their children. orch tells it every process
/// group it creates (`orch_spawn` does, for every spawn) and every group that is
/// gone; the orderly `dismiss()` lets it exit without killing anything.
public enum Guardian {
    /// Forks the guardian; call once, before the first spawn. Returns its pid.
    @discardableResult
    public static func start() throws(SystemError) -> Int32 {
        var pid: pid_t = 0
        try check(orch_guardian_start(&pid), "fork", "the guardian process")
        return pid
    }

    /// The variable every child gets (`Spawner.spawn` sets it), and its value: the
    /// run's random token after any inherited from an outer orch. After orch's death
    /// the guardian also kills every process of orch's user whose environment carries
    /// the token (`/proc/PID/environ`, `proc(5)`): daemons that called setsid(2) and
    /// left every group and session orch knows. nil when no guardian runs.
    public static let markerName = "ORCH_SUPERVISOR"
    public static var marker: String? {
        orch_guardian_marker().map { String(cString: $0) }
    }

    /// The group led by `pgid` has no process left: its number may be reused.
    public static func forget(group pgid: Int32) {
        orch_guardian_forget(pgid)
    }

    /// orch has stopped everything itself and is about to exit.
    public static func dismiss() {
        orch_guardian_dismiss()
    }
}
