set terminal pngcairo size 900,500 noenhanced
set output 'adapt-loss.png'
set title "mdd: source → target"
set xlabel "epoch"
set ylabel "classification loss"
set key below
set grid
set y2label "transfer loss"
set y2tics
set ytics nomirror
set xtics 1
set format x '%.0f'
plot 'adapt-loss.dat' index 0 axes x1y1 with linespoints title "classification (epoch mean)", \
     'adapt-loss.dat' index 1 axes x1y2 with linespoints title "transfer (epoch mean)" dt 2, \
     'adapt-loss.dat' index 2 axes x1y1 with lines title "classification, per step (smoothed)", \
     'adapt-loss.dat' index 3 axes x1y2 with lines title "transfer, per step (smoothed)" dt 2
