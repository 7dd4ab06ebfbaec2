import OrchConfig
import Testing

@testable import OrchCore

/// Watch decisions with an injected clock: which file a message names, the
/// restart-loop guard, the config reload's debounce.
@Suite struct WatchingTests {
    static func watched(debounce: Duration = .milliseconds(100)) -> Harness {
        var spec = proc("web")
        spec.watch = WatchSpec(paths: ["/p/app"], debounce: debounce)
        var h = Harness([spec, proc("db")])
        h.send(.start)
        return h
    }

    /// A change, its debounce, and the old instance's exit: returns the effects.
    static func save(_ h: inout Harness, _ path: String, removed: Bool = false) -> [Effect] {
        h.send(.fileChanged(process: "web", path: path, removed: removed))
        var effects = h.advance(.milliseconds(100))
        if !signals(effects).isEmpty, let pid = h.pid("web") {
            effects += h.send(.exited(instance: "web", pid: pid, termination: .signaled(15), groupEmpty: true))
        }
        return effects
    }

    /// How editors save `app/user.rb`, as inotify reports it (editor-ignored names
    /// such as `4913` and `user.rb~` never reach the core).
    @Test(arguments: [
        // sed -i: a temporary file, written, renamed over the original.
        ([("app/sedDqfuBw", false), ("app/sedDqfuBw", true), ("app/user.rb", false)], "web changed: app/user.rb, restarting"),
        // vim with backupcopy=no: the original renamed away, a new one written.
        ([("app/user.rb", true), ("app/user.rb", false)], "web changed: app/user.rb, restarting"),
        // An editor that writes a temporary beside the file and deletes it afterwards.
        ([("app/.user.rb.tmp", false), ("app/user.rb", false), ("app/.user.rb.tmp", true)], "web changed: app/user.rb, restarting"),
        // A deleted file is a change too, when it is all there is.
        ([("app/gone.rb", true)], "web changed: app/gone.rb, restarting"),
        // Two real files: the first is named, the temporary is not counted.
        ([("app/a.rb", false), ("app/tmpX", false), ("app/b.rb", false), ("app/tmpX", true)], "web changed: app/a.rb and 1 more, restarting"),
    ])
    func messageNamesTheSavedFile(_ events: [(String, Bool)], _ expected: String) {
        var h = Self.watched()
        for (path, removed) in events { h.send(.fileChanged(process: "web", path: path, removed: removed)) }
        let effects = h.advance(.milliseconds(100))
        #expect(messages(effects).first == expected)
    }

    @Test func loopGuardPausesAfterFiveRestartsInTenSeconds() {
        var h = Self.watched()
        for round in 1...5 {
            let effects = Self.save(&h, "app/generated.rb")
            #expect(spawned(effects) == ["web"], "restart \(round)")
            _ = h.advance(.milliseconds(500))
        }
        let sixth = Self.save(&h, "app/generated.rb")
        #expect(spawned(sixth).isEmpty && signals(sixth).isEmpty, "the sixth change restarts nothing")
        #expect(messages(sixth) == ["web restarted 5 times in 10s by file changes (app/generated.rb kept changing): watching paused; save another file or `orch ctl restart web` to resume"])
        #expect(h.core.watchingPaused("web"))
        // The file that kept changing no longer counts, and says nothing more.
        let again = Self.save(&h, "app/generated.rb")
        #expect(again.isEmpty)
        // Saving another file resumes watching and restarts.
        let manual = Self.save(&h, "app/user.rb")
        #expect(spawned(manual) == ["web"])
        #expect(!h.core.watchingPaused("web"))
    }

    @Test func restartsSpreadOverTimeNeverTripTheGuard() {
        var h = Self.watched()
        for round in 1...12 {
            #expect(spawned(Self.save(&h, "app/user.rb")) == ["web"], "restart \(round)")
            _ = h.advance(.seconds(3))
        }
        #expect(!h.core.watchingPaused("web"))
    }

    @Test func ctlRestartResumesWatching() {
        var h = Self.watched()
        for _ in 1...6 { _ = Self.save(&h, "app/generated.rb") }
        #expect(h.core.watchingPaused("web"))
        h.send(.request(.restart(["web"])))
        #expect(!h.core.watchingPaused("web"))
        if let pid = h.pid("web") { h.send(.exited(instance: "web", pid: pid, termination: .signaled(15), groupEmpty: true)) }
        #expect(spawned(Self.save(&h, "app/generated.rb")) == ["web"])
    }

    @Test func savedConfigReloadsOnceAfterItsDebounce() {
        var h = Self.watched()
        #expect(h.send(.configChanged(path: "orch.yaml")).isEmpty)
        _ = h.advance(.milliseconds(50))
        h.send(.configChanged(path: ".env"))
        #expect(h.core.nextDeadline == h.now + .milliseconds(150))
        let effects = h.advance(Supervisor.configDebounce)
        #expect(effects == [.reloadConfig(changed: "orch.yaml")])
        #expect(h.advance(.seconds(1)).isEmpty)
    }

    @Test func nothingReloadsOrRestartsWhileShuttingDown() {
        var h = Self.watched()
        h.send(.shutdown(.signal(15)))
        h.send(.configChanged(path: "orch.yaml"))
        h.send(.fileChanged(process: "web", path: "app/a.rb"))
        let effects = h.advance(.seconds(1))
        #expect(!effects.contains(.reloadConfig(changed: "orch.yaml")))
        #expect(!messages(effects).contains { $0.contains("changed") })
    }
}
