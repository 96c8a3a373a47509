#if canImport(Glibc)
import Glibc
#endif

// connect-bench: `connect-bench [load] ...` (default), `connect-bench micro ...`,
// `connect-bench fill-log ...` (a pre-filled log for measuring `connect-ingest ship`), or
// `connect-bench wrk-script ...` (a signed wrk Lua script for the cross-check).
// See `BenchOptions.helpText` (printed by --help) for every flag and its default.
var arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
if arguments.first == "micro" {
    status = runMicroCommand(Array(arguments.dropFirst()))
} else if arguments.first == "fill-log" {
    status = FillLogCommand.run(Array(arguments.dropFirst()))
} else if arguments.first == "wrk-script" {
    status = runWrkScriptCommand(Array(arguments.dropFirst()))
} else {
    if arguments.first == "load" { arguments.removeFirst() }
    status = LoadCommand.run(arguments)
}
exit(status)
