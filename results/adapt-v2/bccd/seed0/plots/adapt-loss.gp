set terminal pngcairo size 900,500 noenhanced
set output 'adapt-loss.png'
set title "mdd: pbc_barcelona → bccd"
set xlabel "epoch"
set ylabel "loss"
set key outside right
set grid
plot 'adapt-loss.dat' index 0 with linespoints title "classification", \
     'adapt-loss.dat' index 1 with linespoints title "transfer"
