import PulkLearn

/// Split finding: for each allowed feature of a leaf, the best threshold (numbers, both directions
/// for missing values) or category set, from the leaf's histogram.
extension Grower {
    func score(_ g: Double, _ h: Double, l2: Double) -> Double {
        let t = threshold(g)
        let d = h + l2
        return d > 0 ? t * t / d : 0
    }

    func score(_ g: [Double], _ h: Double, l2: Double) -> Double {
        var s = 0.0
        for x in g { s += score(x, h, l2: l2) }
        return s
    }

    /// The best split of a leaf over the allowed features, or nil when no split gains enough.
    func findBest(_ leaf: GrowingLeaf, hist: UnsafeMutablePointer<Double>, featureMask: [Bool],
                          rng: inout SeededGenerator) -> SplitCandidate? {
        guard canSplit(leaf) else { return nil }
        var allowed = (0..<data.features).filter { featureMask[$0] }
        if settings.featureFractionByNode < 1 && !allowed.isEmpty {
            let take = max(1, Int((Double(allowed.count) * settings.featureFractionByNode).rounded()))
            allowed.shuffle(using: &rng)
            allowed = Array(allowed.prefix(take)).sorted()
        }
        let randomBins: [Int] = settings.extraTrees ? allowed.map { j in
            let nb = binCounts[j]
            return nb > 1 ? Int.random(in: 0..<(nb - 1), using: &rng) : 0
        } : []
        var best = SplitCandidate()
        let parentScore = score(leaf.g, leaf.h, l2: settings.lambdaL2)
        // Counts are estimated from hessians; a leaf whose hessians are not finite has no estimate.
        let cntFactor = leaf.h > 0 && leaf.h.isFinite ? Double(leaf.count) / leaf.h : 0
        for (n, j) in allowed.enumerated() {
            let cell = hist + data.offsets[j] * stride
            if data.bins[j].isCategorical {
                categoricalSplit(j, cell, leaf, parentScore: parentScore, cntFactor: cntFactor, best: &best)
            } else {
                numericSplit(j, cell, leaf, parentScore: parentScore, cntFactor: cntFactor,
                             only: settings.extraTrees ? randomBins[n] : nil, best: &best)
            }
        }
        guard best.feature >= 0, best.gain > settings.minGainToSplit, best.gain > 1e-15 else { return nil }
        return best
    }

    func numericSplit(_ j: Int, _ cell: UnsafeMutablePointer<Double>, _ leaf: GrowingLeaf, parentScore: Double, cntFactor: Double,
                              only: Int?, best: inout SplitCandidate) {
        let nb = binCounts[j]
        guard nb > 1 else { return }
        let k = outputs, st = stride, set = settings
        let missingCell = cell + nb * st
        let missingH = missingCell[k]
        let hasMissing = missingH > 0
        let range = only.map { $0...$0 } ?? 0...(nb - 2)
        if k == 1 {
            scalarNumericSplit(j, cell, nb: nb, leaf, parentScore: parentScore, cntFactor: cntFactor, range: range, best: &best)
            return
        }
        for missingLeft in hasMissing ? [false, true] : [false] {
            var lg = [Double](repeating: 0, count: k), lh = 0.0
            if missingLeft { for c in 0..<k { lg[c] = missingCell[c] }; lh = missingH }
            var t = 0
            while t <= range.upperBound {
                let b = cell + t * st
                for c in 0..<k { lg[c] += b[c] }
                lh += b[k]
                if t < range.lowerBound { t += 1; continue }
                let lc = Int((lh * cntFactor).rounded())
                let rh = leaf.h - lh, rc = leaf.count - lc
                if lc < set.minDataInLeaf || lh < set.minSumHessianInLeaf { t += 1; continue }
                if rc < set.minDataInLeaf || rh < set.minSumHessianInLeaf { break }
                var gain = -parentScore
                if k == 1 {
                    gain += score(lg[0], lh, l2: set.lambdaL2) + score(leaf.g[0] - lg[0], rh, l2: set.lambdaL2)
                } else {
                    for c in 0..<k { gain += score(lg[c], lh, l2: set.lambdaL2) + score(leaf.g[c] - lg[c], rh, l2: set.lambdaL2) }
                }
                if gain > best.gain {
                    // Without missing values in this leaf, send unseen missing values to the larger side.
                    best = SplitCandidate(gain: gain, feature: j, thresholdBin: t, defaultLeft: hasMissing ? missingLeft : lc >= rc,
                                          categorical: false, leftG: lg, leftH: lh, leftCount: lc)
                }
                t += 1
            }
        }
    }

    /// The one-output scan (boosting): plain scalars in the loop, in LightGBM's order. First from the
    /// right with missing values on the left, then (when the leaf has missing values) from the left
    /// with them on the right; a later threshold wins only with a strictly larger gain. So among
    /// thresholds that split the leaf's rows alike (empty bins between its values) the highest is
    /// kept, as LightGBM keeps it, and values unseen in the leaf go where LightGBM sends them. Row
    /// counts (for `min_data_in_leaf`) are estimated from hessians bin by bin, rounded per bin and
    /// summed, as LightGBM estimates them.
    func scalarNumericSplit(_ j: Int, _ cell: UnsafeMutablePointer<Double>, nb: Int, _ leaf: GrowingLeaf, parentScore: Double,
                                    cntFactor: Double, range: ClosedRange<Int>, best: inout SplitCandidate) {
        let set = settings, l1 = set.lambdaL1, l2 = set.lambdaL2
        let minData = set.minDataInLeaf, minHess = set.minSumHessianInLeaf
        let totalG = leaf.g[0], totalH = leaf.h, count = leaf.count
        let hasMissing = cell[nb * 2 + 1] > 0
        @inline(__always) func sc(_ g: Double, _ h: Double) -> Double {
            let t = l1 == 0 ? g : (g > l1 ? g - l1 : (g < -l1 ? g + l1 : 0))
            let d = h + l2
            return d > 0 ? t * t / d : 0
        }
        var bestGain = best.gain, bestT = -1, bestMissingLeft = false, bestLG = 0.0, bestLH = 0.0, bestLC = 0
        // From the right: the right side gathers bins t…nb-1, the threshold is t - 1; missing values stay left.
        var rg = 0.0, rh = 0.0, rc = 0
        var t = nb - 1
        while t >= 1 {
            rg += cell[2 * t]
            rh += cell[2 * t + 1]
            rc += Int((cell[2 * t + 1] * cntFactor).rounded())
            t -= 1
            if t > range.upperBound { continue }
            if t < range.lowerBound { break }
            if rc < minData || rh < minHess { continue }
            let lh = totalH - rh, lc = count - rc
            if lc < minData || lh < minHess { break }
            let gain = sc(totalG - rg, lh) + sc(rg, rh) - parentScore
            if gain > bestGain {
                bestGain = gain; bestT = t; bestMissingLeft = true; bestLG = totalG - rg; bestLH = lh; bestLC = lc
            }
        }
        if hasMissing {
            // From the left, missing values on the right.
            var lg = 0.0, lh = 0.0, lc = 0
            t = 0
            while t <= range.upperBound {
                lg += cell[2 * t]
                lh += cell[2 * t + 1]
                lc += Int((cell[2 * t + 1] * cntFactor).rounded())
                t += 1
                if t - 1 < range.lowerBound { continue }
                if lc < minData || lh < minHess { continue }
                let rh = totalH - lh, rc = count - lc
                if rc < minData || rh < minHess { break }
                let gain = sc(lg, lh) + sc(totalG - lg, rh) - parentScore
                if gain > bestGain {
                    bestGain = gain; bestT = t - 1; bestMissingLeft = false; bestLG = lg; bestLH = lh; bestLC = lc
                }
            }
        }
        if bestT >= 0 {
            let rc = count - bestLC
            best = SplitCandidate(gain: bestGain, feature: j, thresholdBin: bestT, defaultLeft: hasMissing ? bestMissingLeft : bestLC >= rc,
                                  categorical: false, leftG: [bestLG], leftH: bestLH, leftCount: bestLC)
        }
    }

    /// Categorical splits as LightGBM: one category against the rest for few categories; otherwise
    /// categories sorted by gradient / (hessian + cat_smooth), and the best prefix from either end.
    func categoricalSplit(_ j: Int, _ cell: UnsafeMutablePointer<Double>, _ leaf: GrowingLeaf, parentScore: Double,
                                  cntFactor: Double, best: inout SplitCandidate) {
        let nb = binCounts[j] - 1  // the last bin ("other") always goes right
        guard nb >= 1 else { return }
        let k = outputs, st = stride, set = settings
        func stats(_ b: Int) -> ([Double], Double) {
            let c = cell + b * st
            return ((0..<k).map { c[$0] }, c[k])
        }
        // Row counts estimated from hessians per bin, rounded per bin and summed (as LightGBM).
        func consider(_ bins: [Int], l2: Double, groupCheck: Bool) {
            var lg = [Double](repeating: 0, count: k), lh = 0.0, lc = 0
            for b in bins { let (g, h) = stats(b); for c in 0..<k { lg[c] += g[c] }; lh += h; lc += Int((h * cntFactor).rounded()) }
            let rh = leaf.h - lh, rc = leaf.count - lc
            guard lc >= set.minDataInLeaf, lh >= set.minSumHessianInLeaf, rc >= set.minDataInLeaf, rh >= set.minSumHessianInLeaf else { return }
            if groupCheck && rc < set.minDataPerGroup { return }
            var gain = -parentScore
            for c in 0..<k { gain += score(lg[c], lh, l2: l2) + score(leaf.g[c] - lg[c], rh, l2: l2) }
            if gain > best.gain {
                var s = BinSet()
                for b in bins { s.insert(b) }
                best = SplitCandidate(gain: gain, feature: j, thresholdBin: 0, defaultLeft: false, categorical: true, leftBins: s,
                                      leftG: lg, leftH: lh, leftCount: lc)
            }
        }
        if nb <= set.maxCatToOnehot || k > 1 {
            for b in 0..<nb where stats(b).1 > 0 { consider([b], l2: set.lambdaL2, groupCheck: false) }
            return
        }
        let l2 = set.lambdaL2 + set.catL2
        var used = (0..<nb).filter { (stats($0).1 * cntFactor).rounded() >= set.catSmooth }
        let ctr = { (b: Int) -> Double in let (g, h) = stats(b); return g[0] / (h + set.catSmooth) }
        used = used.enumerated().sorted { (a, b) in
            let x = ctr(a.element), y = ctr(b.element)
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
        let maxCats = min(set.maxCatThreshold, (used.count + 1) / 2)
        for direction in [1, -1] {
            var group = 0.0, leftCount = 0.0, lh = 0.0
            var chosen: [Int] = []
            for i in 0..<min(used.count, maxCats) {
                let b = direction == 1 ? used[i] : used[used.count - 1 - i]
                chosen.append(b)
                let h = stats(b).1
                lh += h
                let c = (h * cntFactor).rounded()
                leftCount += c
                group += c
                if leftCount < Double(set.minDataInLeaf) || lh < set.minSumHessianInLeaf { continue }
                let rc = Double(leaf.count) - leftCount
                if rc < Double(set.minDataInLeaf) || rc < Double(set.minDataPerGroup) || leaf.h - lh < set.minSumHessianInLeaf { break }
                if group < Double(set.minDataPerGroup) { continue }
                group = 0
                consider(chosen, l2: l2, groupCheck: true)
            }
        }
    }
}
