import Foundation

/// connect-ingest: one binary, four subcommands.
let topLevelHelp = """
    usage: connect-ingest COMMAND [flags]

    A DocuSign Connect webhook listener: verifies HMAC signatures, stores every genuine message
    in a memory-mapped append-only log, and answers 200 only once the message is in the log.

    commands:
      serve     run the listener (connect-ingest serve --help)
      read      print records from the log (connect-ingest read --help)
      inspect   run the JSON or XML field scanner over files (connect-ingest inspect --help)
      verify    check every record's checksum in a log (connect-ingest verify --help)
      ship      publish the log to a NATS JetStream stream (connect-ingest ship --help)
      reload    make a running serve re-read its credentials (connect-ingest reload --help)

    """

let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
switch arguments.first {
case "serve": status = ServeCommand.run(arguments: Array(arguments.dropFirst()))
case "read": status = runRead(arguments: Array(arguments.dropFirst()))
case "inspect": status = runInspect(arguments: Array(arguments.dropFirst()))
case "verify": status = runVerify(arguments: Array(arguments.dropFirst()))
case "ship": status = ShipCommand.run(arguments: Array(arguments.dropFirst()))
case "reload": status = runReload(arguments: Array(arguments.dropFirst()))
case "--help", "-h", "help":
    print(topLevelHelp, terminator: "")
    status = 0
case nil:
    FileHandle.standardError.write(Data(topLevelHelp.utf8))
    status = 2
case let other?:
    FileHandle.standardError.write(Data("connect-ingest: unknown command \(other) (serve, read, inspect, verify, ship, reload)\n".utf8))
    status = 2
}
exit(status)
