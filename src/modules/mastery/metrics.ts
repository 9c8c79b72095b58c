// How well predicted probabilities rank and fit observed 0/1 answers.

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random correct
 * answer got a higher prediction than a random wrong one, ties counting one half (average
 * ranks). `null` when all answers are of one kind (the AUC is undefined).
 */
export function auc(predictions: ArrayLike<number>, outcomes: ArrayLike<number>): number | null {
  const n = predictions.length;
  if (outcomes.length !== n) throw new RangeError('predictions and outcomes differ in length');
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => predictions[a]! - predictions[b]!);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && predictions[order[j + 1]!] === predictions[order[i]!]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (outcomes[order[k]!] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Root mean squared error between predictions and 0/1 outcomes; `null` for no data. */
export function rmse(predictions: ArrayLike<number>, outcomes: ArrayLike<number>): number | null {
  const n = predictions.length;
  if (outcomes.length !== n) throw new RangeError('predictions and outcomes differ in length');
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = predictions[i]! - outcomes[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum / n);
}
