import COrchShim

/// Ctrl-C, SIGTERM, SIGHUP and SIGQUIT while orch loads its config, before the
/// event loop reads its signalfd: they end orch at once with 128+N (130 for
/// Ctrl-C). Nothing runs yet, so there is nothing to stop.
public enum StartupSignals {
    /// Starts watching; call right after `SignalFD.blockSignals()`.
    public static func watch() throws(SystemError) {
        try check(orch_startup_watch_start(), "pthread_create")
    }

    /// Stops watching, before the loop's signalfd takes over; a signal that
    /// arrives from here on stays pending for it.
    public static func stopWatching() {
        _ = orch_startup_watch_stop()
    }
}
