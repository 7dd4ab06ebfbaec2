import OrchSystem

// fds 0-2 first: were one closed, the next fd orch opens (the epoll fd) would take
// its number and orch would write its output into it.
Descriptor.openStandardDescriptors()
// Signals are blocked before anything else runs, so no thread created later can
// receive them and SIGTERM/SIGCHLD are never lost: the loop reads them from a
// signalfd. main stays synchronous (an async main would park this thread in
// libdispatch with signals unblocked).
// Until the loop reads that signalfd, a small thread does: Ctrl-C during a slow
// config load ends orch with 130 (`StartupSignals`).
do {
    try SignalFD.blockSignals()
    try StartupSignals.watch()
} catch {
    Descriptor.writeAll(2, Array("orch: cannot block signals: \(error)\n".utf8))
}
Orch.main()
