/// What libssl's callbacks for one server `SSL_CTX` need from Swift, attached to the context
/// with `ExDataSlots.contextCallbacks` (and released when libssl frees the context).
final class ContextCallbacks: Sendable {
    let ticketKeys: TicketKeyRing
    let pins: ClientCertificatePins

    init(ticketKeys: TicketKeyRing, pins: ClientCertificatePins) {
        self.ticketKeys = ticketKeys
        self.pins = pins
    }
}
