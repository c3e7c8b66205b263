import PulkLearn
import Testing

@Suite("Misspelt names get the closest one suggested")
struct SuggestionTests {
    static let params = ["num_leaves", "learning_rate", "alpha", "max_depth", "n_estimators"]

    @Test("Parameters", arguments: [
        ("alfa", " Did you mean alpha?"),
        ("num_leave", " Did you mean num_leaves?"),
        ("Learning_Rate", " Did you mean learning_rate?"),
        ("max_dept", " Did you mean max_depth?"),
        ("leaves", ""),          // too far from num_leaves to be a typo
        ("colour", ""),
    ])
    func parameters(name: String, suffix: String) {
        let message = LearnError.unknownParameter(model: "gbdt", name: name, known: Self.params).description
        #expect(message == "gbdt has no parameter '\(name)'. Its parameters: \(Self.params.joined(separator: ", "))." + suffix)
    }

    @Test("Models", arguments: [("gdbt", "gbdt"), ("logisitc", "logistic"), ("random_forest", "random-forest")])
    func models(name: String, expected: String) {
        let message = LearnError.unknownModel(name, known: ["gbdt", "logistic", "random-forest", "linear"]).description
        #expect(message.hasSuffix(" Did you mean \(expected)?"), "\(message)")
    }

    @Test("No suggestion when two names are equally close")
    func ambiguous() {
        #expect(!LearnError.unknownModel("lasso2", known: ["lasso1", "lasso3"]).description.contains("Did you mean"))
    }
}
