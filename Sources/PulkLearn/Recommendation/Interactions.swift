public import PulkFrame

/// Which columns of interaction data say who did what: the user, the item, and optionally a rating
/// (explicit feedback) or weight (implicit feedback: plays, clicks) and a time. Recommenders take
/// them as parameters (`user`, `item`, `rating`, `time`; `pulk train --user --item --rating --time`),
/// so they travel in the model file and the run like any other hyperparameter.
public struct InteractionRoles: Sendable, Equatable {
    public var user: String
    public var item: String
    /// Empty: every interaction weighs 1.
    public var rating: String
    /// Empty: no time (temporal splits cannot be used).
    public var time: String

    public init(user: String, item: String, rating: String = "", time: String = "") {
        self.user = user
        self.item = item
        self.rating = rating
        self.time = time
    }

    /// Whether `p` asks for explicit ratings (ALS with feedback=explicit: RMSE applies, repeated
    /// pairs are averaged); false for every other recommender.
    static func explicit(_ p: Parameters) -> Bool { p.values["feedback"] == .string("explicit") }

    init(_ p: Parameters) {
        self.init(user: p.string("user"), item: p.string("item"), rating: p.string("rating"), time: p.string("time"))
    }

    /// The parameters every recommender declares for its columns.
    static let specs: [ParameterSpec] = [
        ParameterSpec("user", .column, default: .string("user_id"), doc: "The column naming the user of each interaction (`--user`)."),
        ParameterSpec("item", .column, default: .string("item_id"), doc: "The column naming the item of each interaction (`--item`)."),
        ParameterSpec("rating", .column, default: .string(""),
                      doc: "A column of ratings (explicit) or weights such as play counts (implicit); empty: every interaction counts 1 (`--rating`)."),
        ParameterSpec("time", .column, default: .string(""), doc: "A column of interaction times, for temporal splits (`--time`)."),
    ]
}

/// Interaction data indexed for learning: users and items numbered in order of first appearance,
/// each (user, item) pair once (repeated pairs summed for weights, averaged for ratings), as rows
/// of a user × item sparse matrix in compressed form and its transpose.
struct Interactions: Sendable {
    var users: [String]
    var items: [String]
    /// Per user (CSR): `userStart[u]..<userStart[u+1]` index `userItems` and `userValues`.
    var userStart: [Int]
    var userItems: [Int32]
    var userValues: [Double]
    /// The transpose: per item, its users and values.
    var itemStart: [Int]
    var itemUsers: [Int32]
    var itemValues: [Double]

    var count: Int { userItems.count }

    /// The raw columns of `frame` as rows of (user, item, value, time): ids as text, with rows whose
    /// user, item or value is missing left out (and counted).
    struct Raw {
        var users: [String]
        var items: [String]
        var values: [Double]
        var times: [Double]?
        var dropped: Int
        /// The frame row of each interaction.
        var frameRows: [Int]
        var userType: DataType
    }

    static func raw(_ frame: Frame, roles: InteractionRoles, model: String) throws(LearnError) -> Raw {
        func column(_ name: String, role: String) throws(LearnError) -> Column {
            guard let c = frame.columns.first(where: { $0.name == name }) else {
                throw .badParameterValue(model: model, name: role, value: name,
                                         expected: "a column of the data (\(frame.names.prefix(20).joined(separator: ", "))); pass --\(role) COLUMN")
            }
            return c
        }
        let u = try column(roles.user, role: "user"), i = try column(roles.item, role: "item")
        let r = roles.rating.isEmpty ? nil : try column(roles.rating, role: "rating")
        let t = roles.time.isEmpty ? nil : try column(roles.time, role: "time")
        var values = [Double](repeating: 1, count: frame.rowCount)
        if let r {
            guard let v = r.doubles() else { throw .badTarget(roles.rating, reason: "ratings and weights must be numbers; '\(roles.rating)' is \(r.type)") }
            values = v
        }
        let times = try t.map { c throws(LearnError) in
            guard let v = c.doubles() else { throw .badTarget(roles.time, reason: "interaction times must be dates, datetimes or numbers; '\(roles.time)' is \(c.type)") }
            return v
        }
        let userIds = ids(u), itemIds = ids(i)
        var keep: [Int] = []
        keep.reserveCapacity(frame.rowCount)
        for k in 0..<frame.rowCount where u.isValid(k) && i.isValid(k) && !values[k].isNaN && (times?[k].isNaN != true) { keep.append(k) }
        if keep.count == frame.rowCount { return Raw(users: userIds, items: itemIds, values: values, times: times, dropped: 0, frameRows: keep, userType: u.type) }
        return Raw(users: keep.map { userIds[$0] }, items: keep.map { itemIds[$0] }, values: keep.map { values[$0] },
                   times: times.map { t in keep.map { t[$0] } }, dropped: frame.rowCount - keep.count, frameRows: keep, userType: u.type)
    }

    /// A column's values as ids (text as it is, numbers as written).
    static func ids(_ c: Column) -> [String] {
        switch c.storage {
        case .string(let codes, let dictionary): return codes.map { dictionary[Int($0)] }
        case .int64(let v): return v.map { String($0) }
        default: return (0..<c.count).map { c.value(at: $0).description }
        }
    }

    /// Indexes `raw` rows `rows` (all when nil); `explicit` averages repeated pairs instead of summing them.
    init(_ raw: Raw, rows: [Int]? = nil, explicit: Bool) {
        var userIndex: [String: Int32] = [:], itemIndex: [String: Int32] = [:]
        var users: [String] = [], items: [String] = []
        let rows = rows ?? Array(0..<raw.users.count)
        var u = [Int32](), i = [Int32]()
        u.reserveCapacity(rows.count); i.reserveCapacity(rows.count)
        for k in rows {
            let a = raw.users[k], b = raw.items[k]
            if let x = userIndex[a] { u.append(x) } else { let x = Int32(users.count); userIndex[a] = x; users.append(a); u.append(x) }
            if let x = itemIndex[b] { i.append(x) } else { let x = Int32(items.count); itemIndex[b] = x; items.append(b); i.append(x) }
        }
        self.init(users: users, items: items, u: u, i: i, values: rows.map { raw.values[$0] }, explicit: explicit)
    }

    /// From coordinates (user, item, value) over known users and items.
    init(users: [String], items: [String], u: [Int32], i: [Int32], values: [Double], explicit: Bool) {
        self.users = users
        self.items = items
        let nu = users.count, ni = items.count
        // Counting sort by user, then by item within each user, merging repeated pairs.
        var start = [Int](repeating: 0, count: nu + 1)
        for x in u { start[Int(x) + 1] += 1 }
        for k in 0..<nu { start[k + 1] += start[k] }
        var fill = start
        var cols = [Int32](repeating: 0, count: u.count), vals = [Double](repeating: 0, count: u.count)
        for k in 0..<u.count {
            let p = fill[Int(u[k])]
            cols[p] = i[k]; vals[p] = values[k]
            fill[Int(u[k])] += 1
        }
        var outStart = [Int](repeating: 0, count: nu + 1)
        var outItems: [Int32] = [], outValues: [Double] = []
        outItems.reserveCapacity(u.count); outValues.reserveCapacity(u.count)
        for user in 0..<nu {
            let range = start[user]..<start[user + 1]
            let order = range.sorted { cols[$0] != cols[$1] ? cols[$0] < cols[$1] : $0 < $1 }
            var k = 0
            while k < order.count {
                var sum = vals[order[k]], n = 1
                while k + n < order.count, cols[order[k + n]] == cols[order[k]] { sum += vals[order[k + n]]; n += 1 }
                outItems.append(cols[order[k]])
                outValues.append(explicit ? sum / Double(n) : sum)
                k += n
            }
            outStart[user + 1] = outItems.count
        }
        userStart = outStart
        userItems = outItems
        userValues = outValues
        // Transpose.
        var istart = [Int](repeating: 0, count: ni + 1)
        for x in outItems { istart[Int(x) + 1] += 1 }
        for k in 0..<ni { istart[k + 1] += istart[k] }
        var ifill = istart
        var iu = [Int32](repeating: 0, count: outItems.count), iv = [Double](repeating: 0, count: outItems.count)
        for user in 0..<nu {
            for p in outStart[user]..<outStart[user + 1] {
                let item = Int(outItems[p])
                iu[ifill[item]] = Int32(user); iv[ifill[item]] = outValues[p]
                ifill[item] += 1
            }
        }
        itemStart = istart
        itemUsers = iu
        itemValues = iv
    }

    /// Users per item (distinct), the popularity of each item.
    var itemCounts: [Int] { (0..<items.count).map { itemStart[$0 + 1] - itemStart[$0] } }
}

/// The items a model knows a user has seen (excluded from their recommendations), kept in the
/// model file as a compressed list per user.
public struct SeenItems: Sendable, Equatable {
    var start: [Int]
    var items: [Int32]

    public init(start: [Int], items: [Int32]) {
        self.start = start
        self.items = items
    }

    init(_ data: Interactions) { self.init(start: data.userStart, items: data.userItems) }

    public func of(_ user: Int) -> ArraySlice<Int32> { items[start[user]..<start[user + 1]] }
}
