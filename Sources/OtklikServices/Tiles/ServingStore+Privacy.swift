public import Foundation
public import OtklikCore

/// Notes with a visibility and the access audit, through the serving wrapper: a status change drops what it
/// made stale, as `changeStatus(id:to:actor:note:at:)` does.
extension ServingStore: IncidentNotes, AccessAudit {
    public func changeStatus(id: Int64, to: IncidentStatus, actor: String, note: String, visibility: NoteVisibility,
                             at: Date) async throws -> Incident {
        let updated = try await base.changeStatus(id: id, to: to, actor: actor, note: note, visibility: visibility, at: at)
        await apply(.written([updated.location]))
        return updated
    }

    public func recordedEvents(incidentID: Int64) async throws -> [RecordedEvent] {
        try await base.recordedEvents(incidentID: incidentID)
    }

    public func recordContactReads(_ reads: [ContactRead]) async throws { try await base.recordContactReads(reads) }
    public func contactReads(since: Date?, keyName: String?) async throws -> [ContactRead] {
        try await base.contactReads(since: since, keyName: keyName)
    }
    public func recordKeyUse(name: String, at: Date) async throws { try await base.recordKeyUse(name: name, at: at) }
    public func keyLastUse() async throws -> [String: Date] { try await base.keyLastUse() }
}
