import OrchSystem

// Signals are blocked before anything else runs, so no thread created later can
// receive them and SIGTERM/SIGCHLD are never lost: the loop reads them from a
// signalfd. main stays synchronous (an async main would park this thread in
// libdispatch with signals unblocked).
do {
    try SignalFD.blockSignals()
} catch {
    Descriptor.writeAll(2, Array("orch: cannot block signals: \(error)\n".utf8))
}
Orch.main()
