@testable import PulkSQL
import PulkStore
import Testing

@Suite("Search filters: unquoted text values get the corrected condition")
struct FilterHintTests {
    @Test("Unquoted strings", arguments: [
        ("params.model = gbdt", "string values need quotes: write params.model = 'gbdt'"),
        ("tags.team != ml", "string values need quotes: write tags.team != 'ml'"),
        ("attributes.status = FINISHED", "string values need quotes: write attributes.status = 'FINISHED'"),
    ])
    func hint(filter: String, message: String) {
        #expect(throws: StoreError.invalid("Invalid filter '\(filter)': \(message)")) { _ = try SearchFilter.parse(filter) }
    }
}
