#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import IngestSystem
import Synchronization

/// Session-ticket keys, kept only in memory and replaced on a schedule.
///
/// A ticket is the server's encrypted session state, handed to the client so it can resume
/// without a full handshake. Whoever holds a ticket key can decrypt every session it sealed, so a
/// key must not live long: every `rotationSeconds` a new key takes over sealing (`rotateIfDue`,
/// called from a worker's timer tick, and checked again whenever a ticket is sealed or opened),
/// and a retired key still opens tickets for two more periods, after which it is forgotten.
/// A ticket opened with a retired key is re-issued under the current one. So a ticket resumes
/// for at least `ticketLifetimeSeconds` (= 2 × rotation, also the lifetime hint clients get),
/// and no key opens anything more than about three periods after it was made. Keys never leave
/// the process.
///
/// Shared by every `SSL_CTX` the server builds (a certificate reload keeps the ring) and by every
/// worker thread: the lock is taken once per ticket sealed or opened (once per handshake) and
/// once per rotation check, never per request.
public final class TicketKeyRing: Sendable {
    struct Key {
        let name: [UInt8]      // 16 bytes, sent in the clear at the front of each ticket
        let cipherKey: [UInt8] // AES-256-CBC
        let macKey: [UInt8]    // HMAC-SHA256
        let createdAt: Int64   // the ring's clock, nanoseconds
        var retiredAt: Int64?
    }

    public let rotationSeconds: Int
    private let rotationNanoseconds: Int64
    private let keys: Mutex<[Key]>
    private let clock: @Sendable () -> Int64

    /// - Parameter clock: nanoseconds on a monotonic scale (tests pass their own).
    public init(rotationSeconds: Int, clock: @escaping @Sendable () -> Int64 = { Clock.monotonicNanoseconds() }) {
        self.rotationSeconds = max(1, rotationSeconds)
        rotationNanoseconds = Int64(max(1, rotationSeconds)) * 1_000_000_000
        self.clock = clock
        keys = Mutex([TicketKeyRing.makeKey(at: clock())])
    }

    /// How long a ticket is guaranteed to resume (the lifetime hint given to clients).
    public var ticketLifetimeSeconds: Int { rotationSeconds * 2 }

    /// The names of the keys kept, newest first (tests and diagnostics; no key material).
    public var keyNames: [[UInt8]] { keys.withLock { $0.map(\.name) } }

    /// Makes a new sealing key if the current one is older than the rotation period, and forgets
    /// keys retired more than two periods ago.
    public func rotateIfDue() {
        let now = clock()
        keys.withLock { ring in rotate(&ring, now: now) }
    }

    /// The key to seal a new ticket with.
    func sealingKey() -> Key {
        let now = clock()
        return keys.withLock { ring in
            rotate(&ring, now: now)
            return ring[0]
        }
    }

    /// The key named by a ticket's first 16 bytes if it is still kept, and whether it is the
    /// current sealing key.
    func openingKey(named name: UnsafePointer<UInt8>) -> (key: Key, isCurrent: Bool)? {
        let now = clock()
        return keys.withLock { ring -> (key: Key, isCurrent: Bool)? in
            rotate(&ring, now: now)
            for (index, key) in ring.enumerated() where memcmp(key.name, name, 16) == 0 {
                return (key, index == 0)
            }
            return nil
        }
    }

    private func rotate(_ ring: inout [Key], now: Int64) {
        if now - ring[0].createdAt >= rotationNanoseconds {
            ring[0].retiredAt = now
            ring.insert(Self.makeKey(at: now), at: 0)
        }
        ring.removeAll { key in key.retiredAt.map { now - $0 >= 2 * rotationNanoseconds } ?? false }
    }

    private static func makeKey(at time: Int64) -> Key {
        func random(_ count: Int) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            // RAND_bytes fails only when the system's entropy source is broken: no key is safe then.
            precondition(RAND_bytes(&bytes, Int32(count)) == 1, "RAND_bytes failed: no entropy for ticket keys")
            return bytes
        }
        return Key(name: random(16), cipherKey: random(32), macKey: random(32), createdAt: time, retiredAt: nil)
    }
}
