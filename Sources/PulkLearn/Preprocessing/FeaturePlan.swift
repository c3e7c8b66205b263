/// How missing numbers are filled (scikit-learn's `SimpleImputer` strategies).
public enum NumericImputation: String, Sendable, Codable, CaseIterable {
    case mean, median, mostFrequent = "most_frequent", constant
}

/// How numbers are rescaled after imputation.
public enum Scaling: String, Sendable, Codable, CaseIterable {
    /// Left as they are.
    case none
    /// (x − mean) / standard deviation (population, as `StandardScaler`); constant columns are only centred.
    case standard
    /// (x − min) / (max − min) (`MinMaxScaler`).
    case minmax
    /// (x − median) / IQR (`RobustScaler`, quantiles 25–75).
    case robust
}

/// How a text or bool column becomes numbers.
public enum CategoricalEncoding: Sendable, Codable, Hashable {
    /// One 0/1 column per category (sorted); unseen categories give all zeros. With a cap, only the
    /// `maxCategories − 1` most frequent keep their own column and the rest, and unseen categories,
    /// share an `infrequent` one (scikit-learn's `OneHotEncoder(handle_unknown="infrequent_if_exist",
    /// max_categories=)`).
    case oneHot(maxCategories: Int?)
    /// The category's index in sorted order; unseen categories give −1 (`OrdinalEncoder`).
    case ordinal
}

/// What to do with one input column.
public enum ColumnPlan: Sendable, Codable, Hashable {
    case numeric(imputation: NumericImputation, fill: Double, scaling: Scaling, missingIndicator: Bool)
    /// Missing text is filled with the most frequent category, then encoded.
    case categorical(encoding: CategoricalEncoding, missingIndicator: Bool)
    /// Date and datetime parts: year, month, day, weekday (0 = Monday), hour, is-weekend (UTC). Missing
    /// dates give zeros and a missing-indicator column.
    case dateParts
    /// A text column replaced by the smoothed target mean of its category (scikit-learn's
    /// `TargetEncoder(smooth="auto")`, regression and binary targets); unseen categories get the
    /// overall mean. Training rows are encoded out of fold so the model cannot see its own answer.
    case targetEncoding
    case drop(reason: String)
}
