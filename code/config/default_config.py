"""The defaults.  Edit them here, as the article says, or override any key with a
flag named after it: ``python demo.py --total-epochs 2000 --layers-dim 1 30 10 1``."""

from easydict import EasyDict

_C = EasyDict()

# the network
_C.layers_dim = [1, 25, 1]               # layer sizes, input first; the article's alternative: [1, 30, 10, 1]
_C.activation = "sigmoid"                # hidden-layer activation: sigmoid (the article's), tanh or relu
_C.init = "uniform"                      # initial weights: uniform in [0, 1) (the article's) or xavier

# training
_C.batch_size = 90                       # samples per update; the last batch of an epoch may be smaller
_C.total_epochs = 40000                  # train until this many epochs are done (a resumed run counts on)
_C.learning_rate = 0.03                  # step size of gradient descent (hard-coded in the article)
_C.seed = 0                              # seeds the initial weights: np.random.seed(seed) in the article's terms
_C.log_every = 100                       # print one line per batch every this many epochs

# checkpoint
_C.resume = True                         # start from ckpt_path when it exists
_C.ckpt_path = "./ckpt.npy"              # the checkpoint: a plain .npy record, no pickle
_C.ckpt_every = 1000                     # also write the checkpoint every this many epochs

# figures
_C.result_img_path = "./result.png"      # ground truth and the final fit
_C.loss_img_path = "./loss.png"          # loss per epoch, log scale
_C.progress_img_path = "./progress.png"  # the fit at progress_epochs and at the end
_C.progress_epochs = [400, 1000, 2000, 10000]  # epochs drawn in the progress figure: the article's four pictures
_C.show = True                           # open the figures in a window when there is a display
