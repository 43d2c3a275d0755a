set terminal pngcairo size 800,700 noenhanced
set output 'adapt-confusion.png'
set title "mdd on target, checkpoint latest"
set xlabel "predicted"
set ylabel "true"
set xtics ("basophil" 0, "eosinophil" 1, "lymphocyte" 2, "monocyte" 3, "neutrophil" 4) rotate by 30 right
set ytics ("basophil" 0, "eosinophil" 1, "lymphocyte" 2, "monocyte" 3, "neutrophil" 4)
set yrange [4.5:-0.5]
set xrange [-0.5:4.5]
set cbrange [0:*]
set palette defined (0 "white", 1 "#2b6cb0")
plot 'adapt-confusion.dat' using 1:2:3 with image notitle, \
     '' using 1:2:(sprintf("%.2f", $3)) with labels notitle
