/// Writes `data.envelopeSummary` the way Connect 2.0 sends it (shape from the corpus file
/// `envelope-completed.v2.envelopeSummary.laravel-2022-09.json` and DocuSign's published schema):
/// booleans and counts as strings, `null` for `anySigner`, the envelope id repeated in every URI,
/// and the same key names (`envelopeId`, `status`) again at deeper levels.
struct EnvelopeSummaryWriter {
    let accountId: [UInt8]
    let senderUserId: [UInt8]
    let seed: UInt64

    /// Appends `"envelopeSummary":{...}` to `out`. `documentBase64`, when given, becomes the first
    /// document's `PDFBytes` (the "include documents" option).
    func write(into out: inout [UInt8], plan: EnvelopePlan, step: EnvelopeStep,
               createdTicks: Int64, eventTicks: Int64, documentBase64: [UInt8]?) {
        let env = plan.envelopeId
        let created = ConnectIdentifiers.timestamp(ticks: createdTicks)
        let now = ConnectIdentifiers.timestamp(ticks: eventTicks)
        let sent = ConnectIdentifiers.timestamp(ticks: createdTicks + 9_000_000)
        out.put("\"envelopeSummary\":{\"status\":")
        out.putString(step.completed ? "completed" : "sent")
        uri(&out, "documentsUri", env, "/documents")
        uri(&out, "recipientsUri", env, "/recipients")
        uri(&out, "attachmentsUri", env, "/attachments")
        uri(&out, "envelopeUri", env, "")
        out.put(",\"emailSubject\":\"Please DocuSign: Agreement ")
        out.put(Int(plan.serial % 100_000))
        out.put(".pdf\",\"envelopeId\":")
        out.putString(env)
        out.put(",\"signingLocation\":\"online\"")
        uri(&out, "customFieldsUri", env, "/custom_fields")
        uri(&out, "notificationUri", env, "/notification")
        out.put(",\"enableWetSign\":\"true\",\"allowMarkup\":\"false\",\"allowReassign\":\"true\",\"createdDateTime\":")
        out.putString(created)
        out.put(",\"lastModifiedDateTime\":")
        out.putString(created)
        if step.completed || (step.recipient ?? 0) > 1 || step.recipientPhase > 0 {
            out.put(",\"deliveredDateTime\":")
            out.putString(now)
        }
        out.put(",\"initialSentDateTime\":")
        out.putString(sent)
        out.put(",\"sentDateTime\":")
        out.putString(sent)
        if step.completed {
            out.put(",\"completedDateTime\":")
            out.putString(now)
        }
        out.put(",\"statusChangedDateTime\":")
        out.putString(now)
        uri(&out, "documentsCombinedUri", env, "/documents/combined")
        uri(&out, "certificateUri", env, "/documents/certificate")
        uri(&out, "templatesUri", env, "/templates")
        out.put(",\"expireEnabled\":\"true\",\"expireDateTime\":")
        out.putString(ConnectIdentifiers.timestamp(ticks: createdTicks + 120 * 86_400 * 10_000_000))
        out.put(",\"expireAfter\":\"120\",\"sender\":{\"userName\":\"")
        putName(&out, Self.nameRoll(seed, 0))
        out.put("\",\"userId\":")
        out.putString(senderUserId)
        out.put(",\"accountId\":")
        out.putString(accountId)
        out.put(",\"email\":\"sender@example.com\"},\"recipients\":{\"signers\":[")
        for recipient in 1...plan.recipientCount {
            if recipient > 1 { out.put(",") }
            writeSigner(&out, plan: plan, recipient: recipient, status: step.status(ofRecipient: recipient), sent: sent, now: now)
        }
        out.put("],\"agents\":[],\"editors\":[],\"intermediaries\":[],\"carbonCopies\":[],\"certifiedDeliveries\":[],")
        out.put("\"inPersonSigners\":[],\"seals\":[],\"witnesses\":[],\"notaries\":[],\"recipientCount\":")
        out.putQuoted(plan.recipientCount)
        out.put(",\"currentRoutingOrder\":")
        out.putQuoted(step.recipient ?? (step.completed ? plan.recipientCount : 1))
        out.put("},\"envelopeDocuments\":[")
        writeDocument(&out, plan: plan, documentBase64: documentBase64)
        out.put(",{\"documentId\":\"certificate\",\"documentIdGuid\":")
        out.putString(ConnectIdentifiers.uuid(serial: plan.serial &* 2 &+ 1, namespace: EnvelopePlan.Namespace.document, seed: seed))
        out.put(",\"name\":\"Summary\",\"type\":\"summary\"")
        uri(&out, "uri", env, "/documents/certificate")
        out.put(",\"order\":\"999\",\"display\":\"inline\",\"includeInDownload\":\"true\",")
        out.put("\"signerMustAcknowledge\":\"no_interaction\",\"templateRequired\":\"false\",\"authoritativeCopy\":\"false\"}],")
        out.put("\"purgeState\":\"unpurged\",\"envelopeIdStamping\":\"true\",\"is21CFRPart11\":\"false\",")
        out.put("\"signerCanSignOnMobile\":\"true\",\"autoNavigation\":\"true\",\"isSignatureProviderEnvelope\":\"false\",")
        out.put("\"hasFormDataChanged\":\"false\",\"allowComments\":\"true\",\"hasComments\":\"false\",\"allowViewHistory\":\"true\",")
        out.put("\"disableResponsiveDocument\":\"false\",\"envelopeMetadata\":{\"allowAdvancedCorrect\":\"true\",")
        out.put("\"enableSignWithNotary\":\"false\",\"allowCorrect\":\"true\"},\"anySigner\":null,")
        out.put("\"envelopeLocation\":\"current_site\",\"isDynamicEnvelope\":\"false\"}")
    }

    private func writeSigner(_ out: inout [UInt8], plan: EnvelopePlan, recipient: Int, status: RecipientStatus,
                             sent: [UInt8], now: [UInt8]) {
        let roll = Self.nameRoll(seed, plan.serial &* 4 &+ UInt64(recipient))
        out.put("{\"creationReason\":\"sender\",\"canSignOffline\":\"false\",\"isBulkRecipient\":\"false\",")
        out.put("\"requireUploadSignature\":\"false\",\"name\":\"")
        putName(&out, roll)
        out.put("\",\"email\":\"signer")
        out.put(Int(plan.serial % 1_000_000))
        out.put("-")
        out.put(recipient)
        out.put("@example.com\",\"recipientId\":")
        out.putQuoted(recipient)
        out.put(",\"recipientIdGuid\":")
        out.putString(ConnectIdentifiers.uuid(serial: plan.serial &* 4 &+ UInt64(recipient),
                                              namespace: EnvelopePlan.Namespace.recipient, seed: seed))
        out.put(",\"requireIdLookup\":\"false\",\"userId\":")
        out.putString(ConnectIdentifiers.uuid(serial: plan.serial &* 4 &+ UInt64(recipient),
                                              namespace: EnvelopePlan.Namespace.user, seed: seed))
        out.put(",\"routingOrder\":")
        out.putQuoted(recipient)
        out.put(",\"note\":\"\",\"status\":")
        out.putString(status.text)
        out.put(",\"completedCount\":")
        out.putQuoted(status == .completed ? 1 : 0)
        if status == .completed {
            out.put(",\"signedDateTime\":")
            out.putString(now)
        }
        out.put(",\"sentDateTime\":")
        out.putString(sent)
        out.put(",\"deliveryMethod\":\"email\",\"recipientType\":\"signer\"}")
    }

    private func writeDocument(_ out: inout [UInt8], plan: EnvelopePlan, documentBase64: [UInt8]?) {
        out.put("{\"documentId\":\"1\",\"documentIdGuid\":")
        out.putString(ConnectIdentifiers.uuid(serial: plan.serial &* 2, namespace: EnvelopePlan.Namespace.document, seed: seed))
        out.put(",\"name\":\"Agreement.pdf\",\"type\":\"content\"")
        uri(&out, "uri", plan.envelopeId, "/documents/1")
        out.put(",\"order\":\"1\",\"pages\":[{\"pageId\":")
        out.putString(ConnectIdentifiers.uuid(serial: plan.serial, namespace: EnvelopePlan.Namespace.page, seed: seed))
        out.put(",\"sequence\":\"1\",\"height\":\"842\",\"width\":\"595\",\"dpi\":\"72\"}],\"display\":\"inline\",")
        out.put("\"includeInDownload\":\"true\",\"signerMustAcknowledge\":\"no_interaction\",\"templateRequired\":\"false\",")
        out.put("\"authoritativeCopy\":\"false\"")
        if let pdf = documentBase64 {
            out.put(",\"PDFBytes\":\"")
            out.put(pdf)
            out.put("\"")
        }
        out.put("}")
    }

    private func uri(_ out: inout [UInt8], _ key: StaticString, _ envelopeId: [UInt8], _ suffix: StaticString) {
        out.put(",\"")
        out.put(key)
        out.put("\":\"/envelopes/")
        out.put(envelopeId)
        out.put(suffix)
        out.put("\"")
    }

    static func nameRoll(_ seed: UInt64, _ serial: UInt64) -> UInt64 {
        ConnectIdentifiers.mix(seed ^ serial ^ 0x4A4D_E5)
    }

    private static let firstNames: [StaticString] = [
        "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
        "Radia", "Dennis", "Margaret", "John", "Hedy", "Claude", "Katherine", "Tim",
    ]
    private static let lastNames: [StaticString] = [
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
        "Perlman", "Ritchie", "Hamilton", "Backus", "Lamarr", "Shannon", "Johnson", "Berners-Lee",
    ]

    private func putName(_ out: inout [UInt8], _ roll: UInt64) {
        out.put(Self.firstNames[Int(roll % 16)])
        out.put(" ")
        out.put(Self.lastNames[Int((roll >> 8) % 16)])
    }
}
