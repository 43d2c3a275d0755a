// The table of run settings (RunSpec): the one place where a setting's name, accepted values, default
// and help are written. The language's train() signature and help, `smear train --help`, both front
// ends' checks and docs/language.md all come from here.
import SmearData
import SmearNN

extension RunSpec {
    public static let settings: [RunSetting] = [
        RunSetting(.epochs, kind: .whole(1...100_000), defaultValue: .number(15),
                   help: "epochs; each ends with an evaluation and checkpoints"),
        RunSetting(.iters, kind: .whole(1...10_000_000), defaultValue: .number(100), help: "training steps per epoch"),
        RunSetting(.batch, kind: .whole(1...4096), defaultValue: .number(32), help: "images per lab per step (source and target each)"),
        RunSetting(.size, kind: .whole(32...1024), defaultValue: .number(64), help: "side of the network's input, pixels"),
        RunSetting(.width, kind: .whole(1...512), defaultValue: .number(64),
                   help: "ResNet-18 base width (64 is torchvision's; 16 trains ~10x faster for a first look)"),
        RunSetting(.bottleneck, kind: .whole(0...65_536), defaultValue: .number(1024),
                   help: "bottleneck features (0: none, the backbone's pooled features go straight to the classifier)"),
        RunSetting(.head, kind: .whole(0...65_536), defaultValue: .number(1024), help: "hidden width of the classifier head (0: linear)"),
        RunSetting(.validation, kind: .number(0...0.99), defaultValue: .number(0.1),
                   help: "fraction of the labelled source held out for validation (0: none)"),
        RunSetting(.seed, kind: .whole(0...Int(UInt32.max)), defaultValue: .number(1),
                   help: "seed of the initialisation, the split and the batches"),
        RunSetting(.lr, kind: .number(1e-9...10), defaultValue: .number(0.004), help: "learning rate at step 0"),
        RunSetting(.schedule, kind: .choice(["inverse_decay", "step_decay"]), defaultValue: .choice("inverse_decay"),
                   help: "lr·(1 + 2e-4·i)^-0.75 (the article's code) or lr·0.1 every 20 epochs (its text)"),
        RunSetting(.backbone, kind: .choice(BackboneKind.allCases.map(\.rawValue)), defaultValue: .choice("resnet18"),
                   help: "the feature extractor: resnet18 (torchvision's, any width), efficientnet_lite0 (4.65 M parameters, "
                       + "ReLU6, depthwise convolutions; width and group_norm do not apply) or efficientnet_lite2 (Lite0 scaled "
                       + "1.1 wide and 1.2 deep: 6.09 M parameters)"),
        RunSetting(.pretrained, kind: .file, defaultValue: .choice(nil),
                   help: "start the backbone from pretrained weights: \"imagenet\" (the EfficientNet-Lite backbone's, fetched by scripts/weights) "
                       + "or a safetensors file with the backbone's own names (torchvision's for ResNet-18, e.g. from "
                       + "scripts/torchvision_backbone.py; its classifier is left out); nil: from scratch. backbone_lr 0.1 suits it"),
        RunSetting(.startFrom, kind: .file, defaultValue: .choice(nil),
                   help: "start the whole network from a finished run's weights (its folder, or a .safetensors checkpoint): the backbone, "
                       + "bottleneck and classifier must be the same settings as that run's; the method's own modules come with them when "
                       + "that run had the same method; the optimizer, schedule and weight average start afresh. It wins over pretrained"),
        RunSetting(.backboneLr, kind: .number(0...100), defaultValue: .number(1),
                   help: "the backbone's learning-rate multiplier (1 from scratch; 0.1 suits a pretrained backbone)"),
        RunSetting(.headOnlySteps, kind: .whole(0...10_000_000), defaultValue: .number(0),
                   help: "the run's first steps in which the backbone is frozen and only the heads train (LP-FT: a probe on the "
                       + "pretrained features, then fine-tuning of everything); the learning-rate schedule counts them (0: none)"),
        RunSetting(.sourceCrop, kind: .whole(1...100_000), defaultValue: .number(300),
                   help: "centre crop of the source images, original pixels (the article's 300)"),
        RunSetting(.targetCrop, kind: .whole(1...100_000), defaultValue: .number(288),
                   help: "centre crop of the target images, original pixels (the article's 288)"),
        RunSetting(.articleEval, kind: .flag, defaultValue: .flag(false),
                   help: "evaluate at the full crop as the article's code does, not at the training crop's scale (224 px)"),
        RunSetting(.separate, kind: .flag, defaultValue: .flag(false),
                   help: "source and target through the network separately (batch-norm statistics per lab)"),
        RunSetting(.groupNorm, kind: .flag, defaultValue: .flag(false), help: "group norm instead of batch norm"),
        RunSetting(.stain, kind: .choice(StainNormalization.allCases.map(\.rawValue)), defaultValue: .choice(nil),
                   help: "colour normalisation: reinhard (target lab's L*a*b* statistics onto the source's), macenko (the source's "
                       + "stain vectors), reinhard_image (every image of both labs onto the source lab's statistics), lab_mean_image "
                       + "(every image's L*a*b* mean onto the source lab's, spread kept), luminance_image (lab_mean_image with "
                       + "the hue removed: a*, b* set to the source lab's mean), white_balance_image (every image's background, its brightest "
                       + "5%, moved onto the source lab's by a gain per channel), white_balance_zscore (that balance, then each lab z-scored "
                       + "with its own statistics of the balanced images)"),
        RunSetting(.statistics, kind: .choice(StatisticsRegion.allCases.map(\.rawValue)), defaultValue: .choice("crop"),
                   help: "each lab's channel statistics (z-score, colour transfer) over each image's centre crop at the run's crop "
                       + "for that lab (crop: what the network sees, as the PyTorch reference does) or over the whole frames (frame: "
                       + "glass included)"),
        RunSetting(.normalization, kind: .choice(InputNormalization.allCases.map(\.rawValue)), defaultValue: .choice("lab"),
                   help: "what z-scores the network's input: each lab's own channel statistics (lab) or ImageNet's mean and std for "
                       + "every lab (imagenet: what ImageNet weights were trained with)"),
        RunSetting(.dihedral, kind: .flag, defaultValue: .flag(false),
                   help: "add the 8 exact orientations (flips, quarter turns) to the augmentations"),
        RunSetting(.augment, kind: .choice(AugmentationRecipe.allCases.map(\.rawValue)), defaultValue: .choice("article"),
                   help: "training augmentations: article (crop, blur, fog, colour jitter, flip, rotation, scale) or reference (the "
                       + "PyTorch reference's: a random 8/9 of the crop, colour jitter, the 8 orientations; evaluation on the centre 8/9)"),
        RunSetting(.hedJitter, kind: .number(0...0.5), defaultValue: .number(0),
                   help: "stain augmentation σ: H, E, D scaled by U[1-σ, 1+σ] and shifted by U[-σ, σ], p = 0.5 (0: off; 0.05 light)"),
        RunSetting(.stainBank, kind: .flag, defaultValue: .flag(false),
                   help: "recolour each source training image with Macenko stains drawn from a bank fitted on single images of both "
                       + "labs (SADA's stain-bank augmentation; no labels used)"),
        RunSetting(.sourceSampling, kind: .choice(SourceSampling.allCases.map(\.rawValue)), defaultValue: .choice("shuffled"),
                   help: "how source batches are drawn: shuffled (every image once per pass, the cross-entropy weighting classes by "
                       + "inverse frequency) or target_prior (each class in the share the model predicts on the target at the end of the "
                       + "previous epoch, evenly in the first; unweighted cross-entropy), so that labs whose class proportions differ "
                       + "are aligned without moving one class's cells onto another's; half_target_prior: each class in the mean of "
                       + "that share and 1/K, so that no class stops being drawn"),
        RunSetting(.targetLabels, kind: .file, defaultValue: .choice(nil),
                   help: "a CSV `image,label` of target cells a person labelled (propose_labels writes its template): they join "
                       + "training with their labels, a quarter-batch of them per step with their own class-weighted cross-entropy; the "
                       + "method's loss keeps the unlabelled rest, and every report of the run scores only the cells not labelled"),
        RunSetting(.pseudoLabels, kind: .file, defaultValue: .choice(nil),
                   help: "a CSV `image,label` of target cells a model labelled (pseudo_labels writes one): they join target_labels' "
                       + "quarter-batch with their labels, and unlike those cells they stay in the target and are scored"),
        RunSetting(.average, kind: .number(0...0.99999), defaultValue: .number(0),
                   help: "also keep an exponential moving average of the weights with this decay per step, checkpoint \"average\" "
                       + "(0: off; 0.998 averages about the last 500 steps); training and the final iterate are unchanged"),
        RunSetting(.consistency, kind: .number(0...1), defaultValue: .number(0),
                   help: "FixMatch's consistency on the unlabelled target, its confidence threshold τ: each step the target batch is "
                       + "also predicted in a weak view (the evaluation crop, one random orientation; evaluation mode), and where an "
                       + "image's top probability is at least τ its top class labels the training view of that image, with "
                       + "cross-entropy at weight 1 over the whole batch (0: off; 0.95 is FixMatch's). It costs one more forward pass of the target "
                       + "batch per step"),
        RunSetting(.mixup, kind: .number(0...10), defaultValue: .number(0),
                   help: "mixup on the source, Beta(α, α)'s α: each step the source cross-entropy is taken on a copy of the source batch "
                       + "in which each image is mixed with another, λ·x_i + (1 − λ)·x_j, against λ of its label and 1 − λ of the other's; "
                       + "the unmixed batch still feeds the method's loss (0: off; 0.2 is Zhang et al.'s ImageNet value). The mixed copy "
                       + "goes through the network beside the other batches"),
        RunSetting(.contrastive, kind: .number(0...10), defaultValue: .number(0),
                   help: "weight w of a contrastive loss on the unlabelled target (SimCLR's NT-Xent, temperature 0.2): each step the "
                       + "target batch is also loaded in a second training view with its own random draws, both views' pooled "
                       + "backbone features pass a projection head (256, ReLU, 128), and each view is taught to pick its image's "
                       + "other view among the batch's views; w times that loss joins the classification loss (0: off). The second "
                       + "view goes through the network beside the other batches"),
        RunSetting(.spectrumTransfer, kind: .number(0...0.25), defaultValue: .number(0),
                   help: "FDA's β (Yang and Soatto 2020): each step each source training image takes, channel by channel, the "
                       + "amplitude of a target training image's Fourier transform in the square of the lowest frequencies, of "
                       + "half-width max(1, ⌊β · size⌋), and keeps its own phase; that image feeds every source loss "
                       + "(0: off; 0.01 is the paper's)"),
        RunSetting(.mixstyle, kind: .number(0...1), defaultValue: .number(0),
                   help: "MixStyle's probability p (Zhou et al. 2021): in training, after the backbone's blocks at strides 4 and 8, "
                       + "with probability p per pass each image's per-channel feature mean and standard deviation are replaced by "
                       + "a mixture, λ ~ Beta(0.1, 0.1), of its own and those of another image forwarded with it (source or target, "
                       + "unless separate) (0: off; 0.5 is the paper's)"),
        RunSetting(.labelSmoothing, kind: .number(0...0.99), defaultValue: .number(0),
                   help: "label smoothing ε of the source's cross-entropy: each source image's target is 1 − ε on its class and ε "
                       + "spread evenly over all classes, as PyTorch's label_smoothing (labelled target cells keep one-hot labels; "
                       + "0: off; 0.1 is SHOT's source training)"),
        RunSetting(.cellCrop, kind: .choice(CellCrop.allCases.map(\.rawValue)), defaultValue: .choice(CellCrop.lab.rawValue),
                   help: "lab: every image of a lab takes the lab's centre crop (source_crop, target_crop); image: each image's crop "
                       + "is its lab's times its own central nucleus's diameter over the lab's median (measured without labels, as "
                       + "cell_scale measures; the factor kept within 2/3 to 3/2, 1 where no nucleus is found), so every cell's "
                       + "nucleus covers the same share of what the network sees, in training and evaluation; halfway: the lab's "
                       + "crop times the square root of that factor, so cells keep half their differences in size"),
        RunSetting(.scaleJitter, kind: .number(0...1), defaultValue: .number(0),
                   help: "scale jitter s of both labs' training images: each is read through a field of view z times its lab's "
                       + "crop, z drawn log-uniformly in [1/(1+s), 1+s] every time it is drawn, so its cells look 1/z as large "
                       + "(0: off, every training image at its lab's matched scale; evaluation is never jittered)"),
        RunSetting(.smallFrames, kind: .choice(SmallFrames.allCases.map(\.rawValue)), defaultValue: .choice(SmallFrames.clamp.rawValue),
                   help: "what a lab's centre crop does with a frame smaller than it: clamp (the crop is the whole frame, so its cell "
                       + "looks larger than the lab's matched scale) or pad (the frame centred on a square of the crop's side filled "
                       + "with the median colour of its outermost pixels, so its cell keeps the matched scale), in training and "
                       + "evaluation"),
        RunSetting(.sizeCue, kind: .flag, defaultValue: .flag(false),
                   help: "with cell_crop image or halfway: each image's nucleus diameter over its lab's median, the size its crop "
                       + "no longer shows, is handed to the network as a number, ln(ratio) / ln 1.5 (−1 to 1 over the clamp), one "
                       + "more input of the bottleneck beside the backbone's features"),
    ]
}
