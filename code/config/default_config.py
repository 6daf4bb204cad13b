"""The defaults.  Edit them here, as the article says, or override any key with a
flag named after it: ``python demo.py --total-epochs 2000 --layers-dim 1 30 10 1``.
The comment beside each key is its flag's help (``python demo.py --help``)."""

from easydict import EasyDict

_C = EasyDict()

# the network
_C.layers_dim = [1, 25, 1]               # layer sizes, input first; the article's alternative: [1, 30, 10, 1]
_C.activation = "sigmoid"                # hidden-layer activation: sigmoid (the article's), tanh or relu
_C.init = "uniform"                      # initial weights: uniform in [0, 1) (the article's), xavier, or normal (N(0, 1) weights and biases, Nielsen's)
_C.output_activation = "none"            # the last layer's activation: none (the article's linear output) or sigmoid (Nielsen's)

# training
_C.batch_size = 90                       # samples per update; the last batch of an epoch may be smaller
_C.total_epochs = 40000                  # train until this many epochs are done (a resumed run counts on)
_C.learning_rate = 0.03                  # step size (hard-coded in the article)
_C.optimizer = "sgd"                     # sgd (the article's gradient descent, optionally with momentum) or adam
_C.momentum = 0.0                        # sgd's momentum mu: b = mu * b + g, p -= lr * b (0: the article's step)
_C.betas = [0.9, 0.999]                  # adam's beta1, beta2 (decay of the gradient's mean and square)
_C.eps = 1e-8                            # adam's epsilon, added to sqrt(v_hat)
_C.shuffle = False                       # a new batch order every epoch, seeded by (seed, epoch); False: the article's order
_C.seed = 0                              # seeds the initial weights: np.random.seed(seed) in the article's terms
_C.weight_decay = 0.0                    # L2 regularisation as torch.optim: g += weight_decay * p before each step
_C.log_every = 100                       # print one line per batch every this many epochs
_C.quiet = False                         # print only the summary: no per-batch log lines, no line per save
_C.progress = True                       # on a terminal, one progress line on stderr (never into a file or pipe)

# data
_C.loss = "mse"                          # mse (the article's: fit a curve; on digits and mnist against one-hot labels, Nielsen's quadratic cost) or cross_entropy (classify: softmax, or a sigmoid for one output)
_C.dataset = "sine"                      # sine (the article's), a 2-D set to classify: circle, xor, gauss, spiral, moons, digits (UCI's 8x8 handwritten digits: layers_dim [64, ..., 10]) or mnist (the four IDX files in the folder data_path: [784, ..., 10])
_C.classes = 3                           # the spiral's arms (the other 2-D sets have two classes)
_C.n_points = 500                        # points of a 2-D set (the sine keeps its 200)
_C.data_path = ""                        # a CSV file with a header row: the first layers_dim[0] columns are inputs, the last layers_dim[-1] targets; "": the article's sine
_C.noise = 0.0                           # standard deviation of Gaussian noise added to the targets (seeded by seed)
_C.val_fraction = 0.0                    # fraction of the points held out of training, chosen at random (seeded by seed)
_C.train_images = 0                      # mnist: train on the first this many of its 60,000 training images (Nielsen's 50,000); 0: all

# checkpoint and files
_C.out = ""                              # a folder for every file the run writes whose path is not given: "runs/a" puts ckpt.npy, metrics.csv and the figures there
_C.resume = True                         # start from ckpt_path when it exists
_C.warm_start = False                    # go on from ckpt_path's weights under a changed learning_rate, optimizer, batch_size, ... (one line says what changed)
_C.ckpt_path = "./ckpt.npy"              # the checkpoint: a plain .npy record, no pickle
_C.ckpt_every = 1000                     # also write the checkpoint every this many epochs
_C.metrics_path = "./metrics.csv"        # one row per epoch: loss, gradient norms, saturation

# figures
_C.result_img_path = "./result.png"      # ground truth and the final fit; "" turns a figure off
_C.loss_img_path = "./loss.png"          # loss per epoch, log scale
_C.progress_img_path = "./progress.png"  # the fit at progress_epochs and at the end
_C.progress_epochs = [400, 1000, 2000, 10000]  # epochs drawn in the progress figure: the article's four pictures
_C.hidden_img_path = "./hidden.png"      # each hidden unit a_j(x) and its share W[0, j] a_j(x) of the output
_C.gradients_img_path = "./gradients.png"  # each layer's gradient norm and the saturated units, per epoch
_C.net_img_path = "./net.png"              # the whole net: each weight an edge, each unit with what it computes
_C.animation_path = "./training.gif"     # the training as an animation (a GIF); "" turns it off
_C.animation_frames = 40                 # frames of the animation, at epochs spaced on a log scale
_C.compare_img_path = "./compare.png"    # the figure of --compare KEY=V1,V2,...: loss curves and final fits
_C.show = True                           # open the figures in a window when there is a display
_C.live = False                          # a window that shows the training as it happens (on a desktop)
