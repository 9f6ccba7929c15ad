/** Backward rules of elementwise ops: arithmetic with broadcasting, activations, pass-through ops. */
import { makeAttr, numAttr, strAttr } from '../../onnx/graph-edit';
import type { RuleContext } from '../context';

type Rules = Record<string, (c: RuleContext) => void>;

/** Set input i's gradient from a gradient at the output's (broadcast) shape. */
function setUnbroadcast(c: RuleContext, i: number, grad: string): void {
  c.set(i, c.unbroadcast(grad, c.x(i), c.y()));
}

function passThrough(c: RuleContext): void {
  if (c.needs(0)) c.set(0, c.dy()!);
}

export const ELEMENTWISE_RULES: Rules = {
  Add(c) {
    const dy = c.dy()!;
    if (c.needs(0)) setUnbroadcast(c, 0, dy);
    if (c.needs(1)) setUnbroadcast(c, 1, dy);
  },
  Sub(c) {
    const dy = c.dy()!;
    if (c.needs(0)) setUnbroadcast(c, 0, dy);
    if (c.needs(1)) setUnbroadcast(c, 1, c.op1('Neg', [dy]));
  },
  Mul(c) {
    const dy = c.dy()!;
    if (c.needs(0)) setUnbroadcast(c, 0, c.mul(dy, c.x(1)));
    if (c.needs(1)) setUnbroadcast(c, 1, c.mul(dy, c.x(0)));
  },
  Div(c) {
    const dy = c.dy()!;
    if (c.needs(0)) setUnbroadcast(c, 0, c.div(dy, c.x(1)));
    // d(a/b)/db = −a/b² = −y/b
    if (c.needs(1)) setUnbroadcast(c, 1, c.op1('Neg', [c.div(c.mul(dy, c.y()), c.x(1))]));
  },
  Sum(c) {
    const dy = c.dy()!;
    (c.node.input ?? []).forEach((_, i) => c.needs(i) && setUnbroadcast(c, i, dy));
  },
  Neg(c) {
    if (c.needs(0)) c.set(0, c.op1('Neg', [c.dy()!]));
  },
  Pow(c) {
    const dy = c.dy()!;
    // d(a^b)/da = b·a^(b−1)
    if (c.needs(0)) setUnbroadcast(c, 0, c.mul(dy, c.mul(c.x(1), c.op1('Pow', [c.x(0), c.sub(c.x(1), c.scalar(1))]))));
    // d(a^b)/db = ln(a)·a^b
    if (c.needs(1)) setUnbroadcast(c, 1, c.mul(dy, c.mul(c.op1('Log', [c.x(0)]), c.y())));
  },
  Sqrt(c) {
    if (c.needs(0)) c.set(0, c.div(c.dy()!, c.mul(c.scalar(2), c.y())));
  },
  Reciprocal(c) {
    if (c.needs(0)) c.set(0, c.op1('Neg', [c.mul(c.dy()!, c.mul(c.y(), c.y()))]));
  },
  Exp(c) {
    if (c.needs(0)) c.set(0, c.mul(c.dy()!, c.y()));
  },
  Log(c) {
    if (c.needs(0)) c.set(0, c.div(c.dy()!, c.x()));
  },
  Abs(c) {
    if (c.needs(0)) c.set(0, c.mul(c.dy()!, c.op1('Sign', [c.x()])));
  },
  Relu(c) {
    if (!c.needs(0)) return;
    const dy = c.options.guidedRelu ? c.op1('Relu', [c.dy()!]) : c.dy()!;
    c.set(0, c.where(c.op1('Greater', [c.x(), c.scalar(0)]), dy));
  },
  LeakyRelu(c) {
    if (!c.needs(0)) return;
    const alpha = numAttr(c.node, 'alpha', 0.01);
    const dy = c.dy()!;
    c.set(0, c.where(c.op1('Greater', [c.x(), c.scalar(0)]), dy, c.mul(dy, c.scalar(alpha))));
  },
  PRelu(c) {
    const dy = c.dy()!;
    const positive = c.op1('Greater', [c.x(), c.scalar(0)]);
    if (c.needs(0)) c.set(0, c.op1('Where', [positive, dy, c.mul(dy, c.x(1))]));
    if (c.needs(1)) setUnbroadcast(c, 1, c.where(positive, c.scalar(0), c.mul(dy, c.x())));
  },
  Elu(c) {
    if (!c.needs(0)) return;
    const alpha = numAttr(c.node, 'alpha', 1);
    const dy = c.dy()!;
    // x ≤ 0: y = α(eˣ − 1), dy/dx = y + α
    c.set(0, c.op1('Where', [c.op1('Greater', [c.x(), c.scalar(0)]), dy, c.mul(dy, c.add(c.y(), c.scalar(alpha)))]));
  },
  Clip(c) {
    if (!c.needs(0)) return;
    // opset ≥ 11: min and max are optional inputs; the gradient passes strictly inside the range
    const conditions: string[] = [];
    if (c.x(1)) conditions.push(c.op1('Greater', [c.x(), c.x(1)]));
    if (c.x(2)) conditions.push(c.op1('Less', [c.x(), c.x(2)]));
    const dy = c.dy()!;
    if (!conditions.length) return c.set(0, dy);
    const inside = conditions.length === 2 ? c.op1('And', conditions) : conditions[0];
    c.set(0, c.where(inside, dy));
  },
  Sigmoid(c) {
    if (c.needs(0)) c.set(0, c.mul(c.dy()!, c.mul(c.y(), c.sub(c.scalar(1), c.y()))));
  },
  Tanh(c) {
    if (c.needs(0)) c.set(0, c.mul(c.dy()!, c.sub(c.scalar(1), c.mul(c.y(), c.y()))));
  },
  Softplus(c) {
    if (c.needs(0)) c.set(0, c.mul(c.dy()!, c.op1('Sigmoid', [c.x()])));
  },
  HardSigmoid(c) {
    if (!c.needs(0)) return;
    const alpha = numAttr(c.node, 'alpha', 0.2), beta = numAttr(c.node, 'beta', 0.5);
    const t = c.add(c.mul(c.x(), c.scalar(alpha)), c.scalar(beta));
    const inside = c.op1('And', [c.op1('Greater', [t, c.scalar(0)]), c.op1('Less', [t, c.scalar(1)])]);
    c.set(0, c.where(inside, c.mul(c.dy()!, c.scalar(alpha))));
  },
  HardSwish(c) {
    if (!c.needs(0)) return;
    // y = x·clip(x/6 + 1/2, 0, 1): dy/dx = 0 below −3, 1 above 3, (2x + 3)/6 between
    const x = c.x();
    const middle = c.add(c.mul(x, c.scalar(1 / 3)), c.scalar(0.5));
    const slope = c.op1('Where', [c.op1('Less', [x, c.scalar(-3)]), c.scalar(0), c.op1('Where', [c.op1('Greater', [x, c.scalar(3)]), c.scalar(1), middle])]);
    c.set(0, c.mul(c.dy()!, slope));
  },
  Erf(c) {
    if (!c.needs(0)) return;
    const x = c.x();
    c.set(0, c.mul(c.dy()!, c.mul(c.scalar(2 / Math.sqrt(Math.PI)), c.op1('Exp', [c.op1('Neg', [c.mul(x, x)])]))));
  },
  Gelu(c) {
    if (!c.needs(0)) return;
    const x = c.x();
    const approximate = strAttr(c.node, 'approximate', 'none');
    let slope: string;
    if (approximate === 'tanh') {
      // y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³)
      const k = Math.sqrt(2 / Math.PI);
      const x2 = c.mul(x, x);
      const u = c.mul(c.scalar(k), c.add(x, c.mul(c.scalar(0.044715), c.mul(x2, x))));
      const t = c.op1('Tanh', [u]);
      const du = c.mul(c.scalar(k), c.add(c.scalar(1), c.mul(c.scalar(3 * 0.044715), x2)));
      slope = c.add(c.mul(c.scalar(0.5), c.add(c.scalar(1), t)), c.mul(c.mul(c.scalar(0.5), x), c.mul(c.sub(c.scalar(1), c.mul(t, t)), du)));
    } else {
      // Φ(x) + x·φ(x)
      const phi = c.mul(c.scalar(0.5), c.add(c.scalar(1), c.op1('Erf', [c.mul(x, c.scalar(Math.SQRT1_2))])));
      const density = c.mul(c.scalar(1 / Math.sqrt(2 * Math.PI)), c.op1('Exp', [c.mul(c.scalar(-0.5), c.mul(x, x))]));
      slope = c.add(phi, c.mul(x, density));
    }
    c.set(0, c.mul(c.dy()!, slope));
  },
  Softmax(c) {
    if (!c.needs(0)) return;
    const axis = numAttr(c.node, 'axis', -1);
    const dy = c.dy()!, y = c.y();
    c.set(0, c.mul(y, c.sub(dy, c.reduceSum(c.mul(dy, y), [axis]))));
  },
  LogSoftmax(c) {
    if (!c.needs(0)) return;
    const axis = numAttr(c.node, 'axis', -1);
    const dy = c.dy()!;
    c.set(0, c.sub(dy, c.mul(c.op1('Exp', [c.y()]), c.reduceSum(dy, [axis]))));
  },
  Identity: passThrough,
  Dropout: passThrough,
  Cast(c) {
    if (c.needs(0)) c.set(0, c.op1('Cast', [c.dy()!], [makeAttr('to', 1)]));
  },
  Where(c) {
    const dy = c.dy()!;
    if (c.needs(1)) setUnbroadcast(c, 1, c.where(c.x(0), dy));
    if (c.needs(2)) setUnbroadcast(c, 2, c.op1('Where', [c.x(0), c.scalar(0), dy]));
  },
  Max(c) {
    minMax(c);
  },
  Min(c) {
    minMax(c);
  },
};

/** Max/Min: the gradient goes to the input that was selected (ties to each, as PyTorch's elementwise max). */
function minMax(c: RuleContext): void {
  const dy = c.dy()!;
  (c.node.input ?? []).forEach((name, i) => {
    if (!c.needs(i)) return;
    const selected = c.op1('Equal', [name, c.y()]);
    setUnbroadcast(c, i, c.where(selected, dy));
  });
}
