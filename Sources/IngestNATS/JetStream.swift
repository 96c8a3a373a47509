import Foundation

/// The JetStream API over a `NATSClient`: requests to `$JS.API.*` with JSON bodies, parsed with
/// Foundation (these are configuration and test calls, never per published message).
public final class JetStream {
    public let client: NATSClient
    public let apiPrefix: String
    public var timeoutMilliseconds: Int

    public init(client: NATSClient, apiPrefix: String = "$JS.API", timeoutMilliseconds: Int = 5000) {
        self.client = client
        self.apiPrefix = apiPrefix
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// `$JS.API.INFO`: succeeds once the account has JetStream and (in a cluster) a meta leader.
    public func accountInfo() throws(JetStreamError) -> [String: Any] {
        try call("INFO", [:])
    }

    /// `$JS.API.STREAM.INFO.<name>`; `.streamNotFound` when there is none.
    public func streamInfo(_ name: String) throws(JetStreamError) -> StreamInfo {
        try StreamInfo(try call("STREAM.INFO.\(name)", nil))
    }

    /// `$JS.API.STREAM.CREATE.<name>`. Creating a stream that exists with the same configuration
    /// succeeds; with a different one the server refuses (`.api`).
    public func createStream(_ configuration: StreamConfiguration) throws(JetStreamError) -> StreamInfo {
        try StreamInfo(try call("STREAM.CREATE.\(configuration.name)", configuration.json))
    }

    /// `$JS.API.STREAM.UPDATE.<name>`.
    public func updateStream(_ configuration: StreamConfiguration) throws(JetStreamError) -> StreamInfo {
        try StreamInfo(try call("STREAM.UPDATE.\(configuration.name)", configuration.json))
    }

    /// `$JS.API.STREAM.DELETE.<name>`.
    public func deleteStream(_ name: String) throws(JetStreamError) {
        _ = try call("STREAM.DELETE.\(name)", nil)
    }

    /// `$JS.API.STREAM.MSG.GET.<stream>` by sequence.
    public func message(stream: String, sequence: UInt64) throws(JetStreamError) -> StoredMessage {
        let reply = try call("STREAM.MSG.GET.\(stream)", ["seq": sequence])
        guard let message = reply["message"] as? [String: Any], let subject = message["subject"] as? String,
              let seq = message["seq"] as? Int else { throw .malformedReply("STREAM.MSG.GET without a message") }
        let data = (message["data"] as? String).flatMap { Data(base64Encoded: $0) } ?? Data()
        let headers = (message["hdrs"] as? String).flatMap { Data(base64Encoded: $0) }
        return StoredMessage(sequence: UInt64(seq), subject: subject, headerBlock: headers.map { [UInt8]($0) }, payload: [UInt8](data))
    }

    /// Every message in the stream, in stream order, through an ephemeral pull consumer with no
    /// acknowledgements (it is removed by the server after a minute of inactivity). Stops at the
    /// stream's last sequence as of the call.
    public func readAll(stream: String, batch: Int = 1000) throws(JetStreamError) -> [StoredMessage] {
        let info = try streamInfo(stream)
        guard info.messages > 0 else { return [] }
        let created = try call("CONSUMER.CREATE.\(stream)", [
            "stream_name": stream,
            "config": ["deliver_policy": "all", "ack_policy": "none", "replay_policy": "instant",
                       "inactive_threshold": 60_000_000_000, "mem_storage": true] as [String: Any],
        ])
        guard let consumer = created["name"] as? String else { throw .malformedReply("CONSUMER.CREATE without a name") }
        var result: [StoredMessage] = []
        var lastSequence: UInt64 = 0
        var idleRounds = 0
        while lastSequence < info.lastSequence {
            let body = try! JSONSerialization.data(withJSONObject: ["batch": batch, "expires": 2_000_000_000])
            let id = client.sendRequest(subject: "\(apiPrefix).CONSUMER.MSG.NEXT.\(stream).\(consumer)", payload: [UInt8](body),
                                        ownSubscription: true)
            let deadline = Date().addingTimeInterval(Double(timeoutMilliseconds) / 1000)
            var received = 0
            var ended = false
            while !ended && received < batch && Date() < deadline {
                client.poll(timeoutMilliseconds: 20)
                for message in client.takeReplies(id) {
                    if let status = message.status {
                        if status == 503 { client.cancelRequest(id); throw .nats(.noResponders("CONSUMER.MSG.NEXT.\(stream)")) }
                        if status == 404 || status == 408 || status == 409 { ended = true }
                        continue
                    }
                    guard let sequence = Self.streamSequence(ackSubject: message.replyTo) else {
                        client.cancelRequest(id)
                        throw .malformedReply("consumer delivery without an acknowledgement subject")
                    }
                    received += 1
                    if sequence > lastSequence {
                        lastSequence = sequence
                        result.append(StoredMessage(sequence: sequence, subject: message.subjectText,
                                                    headerBlock: message.headerBlock, payload: message.payload))
                    }
                }
            }
            client.cancelRequest(id)
            if received == 0 {
                idleRounds += 1
                if idleRounds >= 5 { throw .nats(.timeout("reading \(stream): stuck at sequence \(lastSequence) of \(info.lastSequence)")) }
            } else {
                idleRounds = 0
            }
        }
        _ = try? call("CONSUMER.DELETE.\(stream).\(consumer)", nil)
        return result
    }

    /// The stream sequence in a consumer delivery's reply subject:
    /// `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`
    /// (or the longer form with domain and account hash, 12 tokens).
    static func streamSequence(ackSubject: [UInt8]?) -> UInt64? {
        guard let ackSubject else { return nil }
        let tokens = ackSubject.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let index: Int
        switch tokens.count {
        case 9: index = 5
        case 11...: index = 7
        default: return nil
        }
        return UInt64(String(decoding: tokens[index], as: UTF8.self))
    }

    /// One API call: the reply's JSON object, or the error it carries.
    func call(_ endpoint: String, _ body: Any?) throws(JetStreamError) -> [String: Any] {
        let subject = "\(apiPrefix).\(endpoint)"
        var payload: [UInt8] = []
        if let body {
            guard let data = try? JSONSerialization.data(withJSONObject: body) else { throw .malformedReply("unencodable request") }
            payload = [UInt8](data)
        }
        let reply: NATSMessage
        do { reply = try client.request(subject: subject, payload: payload, timeoutMilliseconds: timeoutMilliseconds) } catch {
            throw .nats(error)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(reply.payload)) as? [String: Any] else {
            throw .malformedReply("\(subject): reply is not a JSON object")
        }
        if let error = object["error"] as? [String: Any] {
            let code = error["code"] as? Int ?? 0
            let errCode = error["err_code"] as? Int ?? 0
            let description = error["description"] as? String ?? "unknown error"
            if errCode == 10059 || (code == 404 && description.contains("stream not found")) { throw .streamNotFound(description) }
            throw .api(code: code, errorCode: errCode, description: description)
        }
        return object
    }
}

/// Why a JetStream call failed.
public enum JetStreamError: Error, CustomStringConvertible {
    case nats(NATSError)
    case streamNotFound(String)
    case api(code: Int, errorCode: Int, description: String)
    case malformedReply(String)

    public var description: String {
        switch self {
        case .nats(let error): return error.description
        case .streamNotFound(let text): return text
        case .api(let code, let errorCode, let description): return "\(description) (code \(code), err_code \(errorCode))"
        case .malformedReply(let text): return "malformed JetStream reply: \(text)"
        }
    }
}

/// The stream settings this project sets (everything else is the server's default: limits
/// retention, discard old, no message or byte limits).
public struct StreamConfiguration: Sendable, Equatable {
    public var name: String
    public var subjects: [String]
    public var replicas = 1
    public var duplicateWindowNanoseconds: Int64 = 24 * 3600 * 1_000_000_000
    /// 0: keep messages forever.
    public var maximumAgeNanoseconds: Int64 = 0
    /// "file" or "memory".
    public var storage = "file"

    public init(name: String, subjects: [String]) {
        self.name = name
        self.subjects = subjects
    }

    var json: [String: Any] {
        ["name": name, "subjects": subjects, "retention": "limits", "storage": storage, "num_replicas": replicas,
         "duplicate_window": duplicateWindowNanoseconds, "max_age": maximumAgeNanoseconds, "discard": "old"]
    }
}

/// What `STREAM.INFO` (and create/update) report.
public struct StreamInfo: Sendable {
    public var configuration: StreamConfiguration
    public var messages: UInt64
    public var bytes: UInt64
    public var firstSequence: UInt64
    public var lastSequence: UInt64
    /// The server name of the stream's leader (clustered streams only).
    public var leader: String?
    /// Server names of the other replicas and whether each is current.
    public var replicas: [(name: String, current: Bool)]

    init(_ object: [String: Any]) throws(JetStreamError) {
        guard let config = object["config"] as? [String: Any], let name = config["name"] as? String else {
            throw .malformedReply("stream info without config")
        }
        var configuration = StreamConfiguration(name: name, subjects: config["subjects"] as? [String] ?? [])
        configuration.replicas = config["num_replicas"] as? Int ?? 1
        configuration.duplicateWindowNanoseconds = (config["duplicate_window"] as? NSNumber)?.int64Value ?? 0
        configuration.maximumAgeNanoseconds = (config["max_age"] as? NSNumber)?.int64Value ?? 0
        configuration.storage = config["storage"] as? String ?? "file"
        self.configuration = configuration
        let state = object["state"] as? [String: Any] ?? [:]
        messages = (state["messages"] as? NSNumber)?.uint64Value ?? 0
        bytes = (state["bytes"] as? NSNumber)?.uint64Value ?? 0
        firstSequence = (state["first_seq"] as? NSNumber)?.uint64Value ?? 0
        lastSequence = (state["last_seq"] as? NSNumber)?.uint64Value ?? 0
        let cluster = object["cluster"] as? [String: Any]
        leader = cluster?["leader"] as? String
        replicas = (cluster?["replicas"] as? [[String: Any]] ?? []).map { ($0["name"] as? String ?? "?", $0["current"] as? Bool ?? false) }
    }
}

/// A message as stored in a stream.
public struct StoredMessage: Sendable, Equatable {
    public var sequence: UInt64
    public var subject: String
    public var headerBlock: [UInt8]?
    public var payload: [UInt8]

    public init(sequence: UInt64, subject: String, headerBlock: [UInt8]?, payload: [UInt8]) {
        self.sequence = sequence
        self.subject = subject
        self.headerBlock = headerBlock
        self.payload = payload
    }

    /// The value of header `name` (ASCII case ignored), or nil.
    public func header(_ name: String) -> String? {
        NATSMessage(subject: [], replyTo: nil, status: nil, headerBlock: headerBlock, payload: []).header(name)
    }
}
