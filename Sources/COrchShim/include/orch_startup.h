#ifndef ORCH_STARTUP_H
#define ORCH_STARTUP_H

// Ctrl-C before the event loop exists. orch blocks its signals first thing in main
// (so no thread can take them and the loop's signalfd sees every one), but until
// that loop runs nobody reads them: a slow config load would ignore Ctrl-C. A
// small thread waits on a signalfd for INT, TERM, HUP and QUIT and ends orch with
// 128+N; the loop stops it before it creates its own signalfd, and a signal that
// arrives in between stays pending for the loop.

/// Starts the watcher (once; later calls do nothing). Call after
/// orch_block_signals, so the thread inherits the mask.
int orch_startup_watch_start(void);

/// Stops the watcher and waits for it; a signal it has not read stays pending.
int orch_startup_watch_stop(void);

#endif
