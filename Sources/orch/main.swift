import OrchCLI
import OrchSystem

// fds 0-2 first: were one closed, the next fd orch opens (the epoll fd) would take
// its number and orch would write its output into it.
Descriptor.openStandardDescriptors()
CLI.main(Orch.spec, version: orchVersion, arguments: Array(CommandLine.arguments.dropFirst()))
